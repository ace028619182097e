/**
 * Unpack a zip into its stages. The bomb checks run on the central directory BEFORE anything is
 * written and refuse the unit (an impossible expansion ratio, overlapping members, the unit's byte
 * budget); the reader then stops any member that yields more than it declared (refusing the unit
 * too). Each member is judged by the shared member checks (the archive's symlinks registered
 * first, so a member through a link is caught whatever the order): an unsafe one is skipped and
 * reported. Files and folders are written through the stage's SafeTree (never through a link);
 * symlinks are only recorded, made verbatim once the whole unit is in. Members are read, checked
 * and written synchronously; only members too large to hold are streamed.
 */
import fs from 'node:fs'
import { ZipFormatError, ZipReader, type ZipEntry } from '@clara/shared/zip-reader'
import type { ZipSync } from '@clara/shared/zip-sync'
import { PathConflict } from '@clara/shared/safe-tree'
import { checkRatio, Refusal } from './limits.js'
import type { Placement } from './mapping.js'
import { partsOf, type UnitExtraction } from './safe-member.js'
import type { Stage } from './stage.js'
import { writeMember, writeMemberSync } from './fast-write.js'

/** One thing written into a stage. */
export interface Written {
  target: string
  sub: Buffer
  kind: 'file' | 'dir' | 'symlink'
  size: number
  /** a symlink's target bytes */
  link?: Buffer
}

export type StageFor = (p: Placement) => Stage
/** Where a member (its checked path: components joined by `/`, a folder's with a trailing `/`) goes: null, not restored; a string, refused (why). */
export type Placer = (name: Buffer) => Placement | string | null

interface Planned {
  e: ZipEntry
  p: Placement
}

const info = (e: ZipEntry) => ({ name: e.nameBytes, type: e.kind, mode: e.mode })
const keyName = (key: string, dir: boolean) => Buffer.from(key + (dir && key ? '/' : ''), 'latin1')

/** The bomb checks: any of them refuses the unit. */
function checkBombs(zip: ZipSync, limit: number): void {
  let declared = 0
  for (const e of zip.entries) {
    if (e.method !== 0) checkRatio(e.size, e.compressedSize, e.name)
    else if (e.size !== e.compressedSize) throw new Refusal(`stored member declares ${e.size} bytes but holds ${e.compressedSize}`, e.name)
    declared += e.size
  }
  checkRatio(declared, zip.size, 'archive')
  if (declared > limit) throw new Refusal(`declares ${declared} bytes, more than the ${limit} allowed (unit limit or free space)`)
  checkOverlap(zip)
}

/** The members to write; unsafe ones are skipped into `x`. Throws Refusal for a bomb. */
function planZip(zip: ZipSync, placer: Placer, limit: number, x: UnitExtraction): Planned[] {
  checkBombs(zip, limit)
  x.policy.archive()
  const verdicts = new Map<ZipEntry, ReturnType<typeof x.policy.check>>()
  for (const e of zip.entries) {
    if (e.kind !== 'symlink') continue
    const v = x.policy.check(info(e))
    verdicts.set(e, v)
    if (v.ok) x.policy.link(v.key)
  }
  const out: Planned[] = []
  for (const e of zip.entries) {
    const v = verdicts.get(e) ?? x.policy.check(info(e))
    if (!v.ok) {
      x.skip(e.nameBytes, v.reason)
      continue
    }
    const p = placer(keyName(v.key, e.kind === 'dir'))
    if (typeof p === 'string') x.skip(e.nameBytes, p)
    else if (p) out.push({ e, p })
  }
  return out
}

/** Members must not share bytes (overlapping entries are how a small zip claims petabytes). */
function checkOverlap(zip: ZipSync): void {
  const sorted = [...zip.entries].sort((a, b) => a.localOffset - b.localOffset)
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]
    const end = e.localOffset + 30 + e.compressedSize
    const next = i + 1 < sorted.length ? sorted[i + 1].localOffset : zip.size
    if (end > next) throw new Refusal(`members overlap (${JSON.stringify(e.name)}): a decompression bomb`, e.name)
  }
}

/** Large members are streamed through ZipReader (opened once, when the first one comes). */
class Streamer {
  private reader: ZipReader | null = null
  constructor(private file: string) {}

  async write(e: ZipEntry, fd: number, mode: number): Promise<void> {
    this.reader ??= await ZipReader.open(this.file)
    await writeMember(fd, this.reader.chunks(e), mode, e.mtime)
  }

  async close(): Promise<void> {
    await this.reader?.close()
  }
}

async function extract(zip: ZipSync, big: Streamer, e: ZipEntry, stage: Stage, parts: Buffer[], x: UnitExtraction): Promise<void> {
  const mode = x.mode(e.mode || 0o644)
  try {
    // the content is checked (size, CRC-32) before the file is opened
    const data = zip.fits(e) ? zip.content(e) : null
    const fd = stage.open(parts, mode)
    if (data) writeMemberSync(fd, data, mode, e.mtime)
    else await big.write(e, fd, mode)
  } catch (err) {
    // the artifact's sha256 matched, so the archive was made this way: a lying member is refused
    throw err instanceof ZipFormatError ? new Refusal(err.message, e.name) : err
  }
}

/** Unpack the archive `file` (open as `zip`) into the stages; returns what was written. Throws Refusal for a bomb or a lying member. */
export async function unpackZip(file: string, zip: ZipSync, placer: Placer, stageFor: StageFor, limit: number, x: UnitExtraction): Promise<Written[]> {
  const plan = planZip(zip, placer, limit, x)
  const written: Written[] = []
  const big = new Streamer(file)
  try {
    for (const { e, p } of plan) {
      const stage = stageFor(p)
      const parts = partsOf(p.sub)
      try {
        if (e.kind === 'dir') {
          if (stage.tree) fs.chmodSync(stage.tree.dir(parts), x.mode(e.mode || 0o755))
          stage.dirTimes.push([p.sub, e.mtime])
        } else if (e.kind === 'symlink') {
          if (!stage.tree || !parts.length) throw new PathConflict('a symlink in place of its target')
          const target = Buffer.from(zip.content(e)) // a copy: the zip's buffer goes on to the next one
          stage.tree.link(parts, target, e.mtime, e.name)
          written.push({ target: p.target, sub: p.sub, kind: 'symlink', size: 0, link: target })
          continue
        } else {
          await extract(zip, big, e, stage, parts, x)
        }
      } catch (err) {
        if (!(err instanceof PathConflict)) throw err
        x.skip(e.nameBytes, err.message)
        continue
      }
      written.push({ target: p.target, sub: p.sub, kind: e.kind, size: e.kind === 'file' ? e.size : 0 })
    }
    return written
  } finally {
    await big.close()
  }
}
