/**
 * Unpack a zip into its stages. Every check runs on the central directory BEFORE anything is
 * written: unsafe names, links out of their target, paths through links, overlapping members,
 * an impossible expansion ratio, and the unit's byte budget. The reader then stops any member
 * that yields more than it declared. Members are read, checked and written synchronously (one
 * read, one native inflate, one write each); only members too large to hold are streamed.
 */
import fs from 'node:fs'
import { ZipFormatError, ZipReader, type ZipEntry } from '@clara/shared/zip-reader'
import type { ZipSync } from '@clara/shared/zip-sync'
import { checkRatio, Refusal } from './limits.js'
import { targetBytes, type Placement } from './mapping.js'
import { LinkGuard, unsafeLink, unsafeName } from './safe-member.js'
import type { Stage } from './stage.js'
import { DirMaker, writeLink, writeMember, writeMemberSync } from './fast-write.js'

/** One thing written into a stage. */
export interface Written {
  target: string
  sub: Buffer
  kind: 'file' | 'dir' | 'symlink'
  size: number
}

export type StageFor = (p: Placement) => Stage
/** Where a member goes (null: not restored). */
export type Placer = (name: Buffer) => Placement | null

interface Planned {
  e: ZipEntry
  p: Placement
}

// Link checks compare paths as latin1 text of their bytes: one character per byte, so a name that
// is not UTF-8 (in a member, a link or the target) is compared exactly, never through a lossy decode.
const relText = (p: Placement) => (p.target ? `${targetBytes(p.target).toString('latin1')}/` : '') + p.sub.toString('latin1')

/** Check the whole archive; returns the members to write. Throws Refusal. */
function planZip(zip: ZipSync, placer: Placer, limit: number): Planned[] {
  const out: Planned[] = []
  const guard = new LinkGuard()
  let declared = 0
  for (const e of zip.entries) {
    const bad = unsafeName(e.nameBytes)
    if (bad) throw new Refusal(`${bad}: ${JSON.stringify(e.name)}`, e.name)
    if (e.method !== 0) checkRatio(e.size, e.compressedSize, e.name)
    else if (e.size !== e.compressedSize) throw new Refusal(`stored member declares ${e.size} bytes but holds ${e.compressedSize}`, e.name)
    declared += e.size
    const p = placer(e.nameBytes)
    if (!p) continue
    if (e.kind === 'symlink') {
      const why = unsafeLink(relText(p), zip.content(e).toString('latin1'), targetBytes(p.target).toString('latin1'))
      if (why) throw new Refusal(`${why}: ${JSON.stringify(e.name)}`, e.name)
      guard.add(relText(p))
    }
    out.push({ e, p })
  }
  checkRatio(declared, zip.size, 'archive')
  if (declared > limit) throw new Refusal(`declares ${declared} bytes, more than the ${limit} allowed (unit limit or free space)`)
  checkOverlap(zip)
  for (const { e, p } of out) {
    const why = e.kind === 'symlink' ? null : guard.through(relText(p))
    if (why) throw new Refusal(`${why}: ${JSON.stringify(e.name)}`, e.name)
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

  async write(e: ZipEntry, at: Buffer): Promise<void> {
    this.reader ??= await ZipReader.open(this.file)
    await writeMember(at, this.reader.chunks(e), e.mode || 0o644, e.mtime)
  }

  async close(): Promise<void> {
    await this.reader?.close()
  }
}

async function extract(zip: ZipSync, big: Streamer, e: ZipEntry, at: Buffer): Promise<void> {
  try {
    if (e.kind === 'symlink') writeLink(at, zip.content(e), e.mtime)
    else if (zip.fits(e)) writeMemberSync(at, zip.content(e), e.mode || 0o644, e.mtime)
    else await big.write(e, at)
  } catch (err) {
    // the artifact's sha256 matched, so the archive was made this way: a lying member is refused
    throw err instanceof ZipFormatError ? new Refusal(err.message, e.name) : err
  }
}

/** Unpack the archive `file` (open as `zip`) into the stages; returns what was written. Throws Refusal before writing anything unsafe. */
export async function unpackZip(file: string, zip: ZipSync, placer: Placer, stageFor: StageFor, limit: number): Promise<Written[]> {
  const plan = planZip(zip, placer, limit)
  const written: Written[] = []
  const dirs = new DirMaker()
  const big = new Streamer(file)
  try {
    for (const { e, p } of plan) {
      const stage = stageFor(p)
      const at = stage.at(p.sub)
      if (e.kind === 'dir') {
        dirs.ensure(at)
        fs.chmodSync(at, e.mode || 0o755)
        stage.dirTimes.push([p.sub, e.mtime])
      } else {
        dirs.parentOf(at)
        await extract(zip, big, e, at)
      }
      written.push({ target: p.target, sub: p.sub, kind: e.kind, size: e.kind === 'file' ? e.size : 0 })
    }
    return written
  } finally {
    await big.close()
  }
}
