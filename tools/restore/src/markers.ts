/**
 * `NEWCLARA/.clara-restore/`: what a restore has done, so a rerun completes it. Before the units,
 * the claim (`claimed.json`: the targets that were not there, so whatever stands there later is
 * ours); per unit, an intent (the targets about to be put in place) written before its commit when
 * one of them is not ours yet, and a marker (the artifacts' sha256 and every file written, with
 * its size) written after it. A unit whose marker matches the run's artifacts and whose files are
 * all there is skipped on a rerun.
 */
import { fitName } from '@clara/shared/names'
import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sweepTemps, writeJsonAtomic } from '@clara/shared/atomic'
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
  constructor(readonly root: string) {
    this.dir = path.join(root, STATE_DIR)
  }

  private file(domain: string, unit: string, kind: 'marker' | 'intent'): string {
    return path.join(this.dir, 'units', safe(domain), `${safe(unit)}.${kind}.json`)
  }

  async readMarker(domain: string, unit: string): Promise<Marker | null> {
    return readJson<Marker>(this.file(domain, unit, 'marker'))
  }

  async writeMarker(m: Marker): Promise<void> {
    await fsp.mkdir(path.dirname(this.file(m.domain, m.unit, 'marker')), { recursive: true })
    await writeJsonAtomic(this.file(m.domain, m.unit, 'marker'), m)
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

  /** Every target named by the claim or any marker or intent: these are ours to replace. */
  async ownedTargets(): Promise<Set<string>> {
    const owned = new Set<string>((await readJson<{ targets?: string[] }>(this.claimFile))?.targets ?? [])
    const base = path.join(this.dir, 'units')
    for (const d of await fsp.readdir(base).catch(() => [] as string[])) {
      for (const f of await fsp.readdir(path.join(base, d)).catch(() => [] as string[])) {
        const doc = await readJson<{ targets?: string[] }>(path.join(base, d, f))
        for (const t of doc?.targets ?? []) owned.add(t)
      }
    }
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

/** A marker still holds: same artifacts, and every file it lists is there with its size. */
export async function markerHolds(root: string, m: Marker, artifacts: { path: string; sha256: string }[]): Promise<boolean> {
  const want = new Map(artifacts.map((a) => [a.path, a.sha256]))
  if (m.artifacts.length !== want.size || m.artifacts.some((a) => want.get(a.path) !== a.sha256)) return false
  for (const [rel, size] of m.files) {
    const p = rel.startsWith('b64:') ? Buffer.concat([Buffer.from(root + '/'), Buffer.from(rel.slice(4), 'base64')]) : path.join(root, rel)
    const st = fs.lstatSync(p, { throwIfNoEntry: false })
    if (!st || (st.isFile() && st.size !== size)) return false
  }
  return true
}
