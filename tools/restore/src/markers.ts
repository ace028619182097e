/**
 * `NEWCLARA/.clara-restore/`: what a restore has done, so a rerun completes it. Before the units,
 * the claim (`claimed.json`: the targets that were not there, so whatever stands there later is
 * ours); per unit, an intent (the targets about to be put in place) written before its commit when
 * one of them is not ours yet, and a marker (the artifacts' sha256 and every file written, with
 * its size) written after it. A unit whose marker matches the run's artifacts and whose files are
 * all there is skipped on a rerun.
 *
 * Durability (issue 16): the restored files, the markers and the content zips get no fsync each;
 * the restore flushes the file system once (sync-fs.ts) before its report says it is done. Until
 * then the boot is listed in `unflushed.json` (written durably first). A marker holds the boot it
 * was written in: a kill loses nothing the page cache holds, so a marker of this boot is trusted;
 * one of a boot that ended unflushed (a power loss, a crash) is not, and its unit is redone; and
 * every content zip is rebuilt, however fresh it looks.
 */
import { fitName } from '@clara/shared/names'
import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sweepTemps, writeJsonAtomic } from '@clara/shared/atomic'
import { bootId } from '@clara/shared/durability'
import { readJson } from '@clara/shared/read-json'
import { targetPath } from './mapping.js'

export const STATE_DIR = '.clara-restore'

export interface Marker {
  version: 1
  domain: string
  unit: string
  artifacts: { path: string; sha256: string }[]
  targets: string[]
  /** [root-relative path, size] of every file and link written; base64 paths start with `b64:` */
  files: [string, number][]
  restored_at: string
  /** the kernel's boot id when it was written (absent: fsynced, as before issue 16) */
  boot?: string
  /** members left out (unsafe), told again when a rerun skips the unit */
  refused_members?: { member: string; reason: string }[]
  /** restored symlinks pointing outside NEWCLARA, told again on a rerun */
  links_outside?: { path: string; target: string }[]
}

export interface Intent {
  targets: string[]
}

// Encoded names can outgrow NAME_MAX (a long non-ASCII internal_id): fitName keeps them distinct and short.
const safe = (s: string) => fitName(encodeURIComponent(s).replace(/\./g, '%2E'))


export class StateDir {
  readonly dir: string
  readonly boot = bootId()
  constructor(readonly root: string) {
    this.dir = path.join(root, STATE_DIR)
  }

  private get unflushedFile(): string {
    return path.join(this.dir, 'unflushed.json')
  }

  /**
   * Boots whose restore writes may not have reached the disk (listed before writing, dropped once
   * flushed): `boots` for the markers, `zips` for the content zips (all rebuilt after such a boot).
   */
  async unflushed(): Promise<{ boots: string[]; zips: string[] }> {
    const doc = await readJson<{ boots?: string[]; zips?: string[] }>(this.unflushedFile)
    return { boots: doc?.boots ?? [], zips: doc?.zips ?? [] }
  }

  /** The earlier boots that ended unflushed: their markers are not trusted. */
  async distrusted(): Promise<string[]> {
    return (await this.unflushed()).boots.filter((b) => b !== this.boot)
  }

  /** An earlier boot ended unflushed after writing content zips: none is trusted to be whole. */
  async zipsSuspect(): Promise<boolean> {
    return (await this.unflushed()).zips.some((b) => b !== this.boot)
  }

  /** Before the first write without fsync: list this boot (durably). */
  async writing(): Promise<void> {
    const u = await this.unflushed()
    if (!this.boot || (u.boots.includes(this.boot) && u.zips.includes(this.boot))) return
    const add = (l: string[]) => (l.includes(this.boot!) ? l : [...l, this.boot!])
    await writeJsonAtomic(this.unflushedFile, { boots: add(u.boots), zips: add(u.zips) })
  }

  /** After the flush: everything this boot wrote is on disk (`zipsRebuilt`: and every content zip was rebuilt). An earlier boot stays listed while a marker of it is left. */
  async flushed(zipsRebuilt: boolean): Promise<void> {
    const u = await this.unflushed()
    const others = u.boots.filter((b) => b !== this.boot)
    const left = others.length ? new Set((await this.docs()).map((d) => (d as Marker).boot)) : new Set()
    const boots = others.filter((b) => left.has(b))
    const zips = zipsRebuilt ? [] : u.zips.filter((b) => b !== this.boot)
    if (boots.length !== u.boots.length || zips.length !== u.zips.length) await writeJsonAtomic(this.unflushedFile, { boots, zips })
  }

  private file(domain: string, unit: string, kind: 'marker' | 'intent'): string {
    return path.join(this.dir, 'units', safe(domain), `${safe(unit)}.${kind}.json`)
  }

  async readMarker(domain: string, unit: string): Promise<Marker | null> {
    return readJson<Marker>(this.file(domain, unit, 'marker'))
  }

  /** Written without fsync where the boot is known (the flush before the report covers it), else fsynced. */
  async writeMarker(m: Marker): Promise<void> {
    await fsp.mkdir(path.dirname(this.file(m.domain, m.unit, 'marker')), { recursive: true })
    await writeJsonAtomic(this.file(m.domain, m.unit, 'marker'), this.boot ? { ...m, boot: this.boot } : m, { durable: !this.boot })
  }

  private get claimFile(): string {
    return path.join(this.dir, 'claimed.json')
  }

  /** Record (durably, before any of them is put in place) targets that are not there: they are ours from now on. */
  async claim(targets: string[]): Promise<void> {
    const had = (await readJson<{ targets?: string[] }>(this.claimFile))?.targets ?? []
    const all = [...new Set([...had, ...targets])].sort()
    if (all.length === had.length) return
    await writeJsonAtomic(this.claimFile, { targets: all })
  }

  async readIntent(domain: string, unit: string): Promise<Intent | null> {
    return readJson<Intent>(this.file(domain, unit, 'intent'))
  }

  async writeIntent(domain: string, unit: string, i: Intent): Promise<void> {
    await fsp.mkdir(path.dirname(this.file(domain, unit, 'intent')), { recursive: true })
    await writeJsonAtomic(this.file(domain, unit, 'intent'), i)
  }

  async dropIntent(domain: string, unit: string): Promise<void> {
    await fsp.rm(this.file(domain, unit, 'intent'), { force: true })
  }

  /** Every marker and intent there is. */
  private async docs(): Promise<{ targets?: string[] }[]> {
    const out: { targets?: string[] }[] = []
    const base = path.join(this.dir, 'units')
    for (const d of await fsp.readdir(base).catch(() => [] as string[])) {
      for (const f of await fsp.readdir(path.join(base, d)).catch(() => [] as string[])) {
        const doc = await readJson<{ targets?: string[] }>(path.join(base, d, f))
        if (doc) out.push(doc)
      }
    }
    return out
  }

  /** Every target named by the claim or any marker or intent: these are ours to replace. */
  async ownedTargets(): Promise<Set<string>> {
    const owned = new Set<string>((await readJson<{ targets?: string[] }>(this.claimFile))?.targets ?? [])
    for (const doc of await this.docs()) for (const t of doc.targets ?? []) owned.add(t)
    return owned
  }

  /** Remove the temp files a killed attempt left (the DB copy, markers); stages go when their unit is redone. */
  async sweep(): Promise<void> {
    await sweepTemps(this.root)
    await sweepTemps(this.dir)
    const units = path.join(this.dir, 'units')
    for (const d of await fsp.readdir(units).catch(() => [] as string[])) await sweepTemps(path.join(units, d))
  }

  /** Where a target that was not ours goes when `--force` replaces it. */
  aside(target: string): string | Buffer {
    return targetPath(path.join(this.dir, 'replaced'), target)
  }
}

/** A marker still holds: not of a boot that ended unflushed, same artifacts, and every file it lists is there with its size. */
export async function markerHolds(root: string, m: Marker, artifacts: { path: string; sha256: string }[], distrusted: string[] = []): Promise<boolean> {
  if (m.boot && distrusted.includes(m.boot)) return false
  const want = new Map(artifacts.map((a) => [a.path, a.sha256]))
  if (m.artifacts.length !== want.size || m.artifacts.some((a) => want.get(a.path) !== a.sha256)) return false
  for (const [rel, size] of m.files) {
    const p = rel.startsWith('b64:') ? Buffer.concat([Buffer.from(root + '/'), Buffer.from(rel.slice(4), 'base64')]) : path.join(root, rel)
    const st = fs.lstatSync(p, { throwIfNoEntry: false })
    if (!st || (st.isFile() && st.size !== size)) return false
  }
  return true
}
