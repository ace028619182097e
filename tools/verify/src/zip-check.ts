/**
 * Verify a zip in one sequential read: the whole file is hashed while every member's data is
 * checked (CRC-32 and size, inflated where deflated) as it streams past. Only the central
 * directory is read separately first (a small read at the end of the file).
 */
import type { MemberInfo } from '@clara/shared/member-check'
import { readableName } from '@clara/shared/names'
import { ZipReader, type ZipEntry } from '@clara/shared/zip-reader'
import type { HashPool } from './hash-pool.js'
import { MemberSink, type MemberResult } from './member-sink.js'
import { readPass } from './read-pass.js'

export interface ZipMember {
  /** readable (readableName of the bytes) */
  name: string
  /** the name as stored in the central directory */
  nameBytes: Buffer
  kind: ZipEntry['kind']
  size: number
  sha256?: string
}

export interface ZipCheck {
  sha256: string
  size: number
  /** null when the central directory could not be read */
  members: ZipMember[] | null
  /** every member as the shared member checks see it (null when the central directory could not be read) */
  infos: MemberInfo[] | null
  problems: string[]
}

/** A member's name for messages: two names that differ only in bytes that are not UTF-8 never read alike. */
const nameOf = (e: ZipEntry) => readableName(e.nameBytes)

/** The central directory, or why it cannot be read. */
async function listing(file: string): Promise<ZipEntry[] | string> {
  try {
    const z = await ZipReader.open(file)
    await z.close()
    return z.entries
  } catch (err) {
    return `not a readable zip: ${(err as Error).message}`
  }
}

interface Slot {
  e: ZipEntry
  phase: 'seek' | 'header' | 'data'
  header: Buffer[]
  have: number
  need: number
  dataEnd: number
  sink: MemberSink | null
}

/** Walks the members in file order while chunks arrive. */
class Scanner {
  private i = 0
  private slot: Slot | null = null
  readonly results = new Map<ZipEntry, MemberResult>()
  readonly problems: string[] = []

  constructor(private entries: ZipEntry[], private withSha: boolean) {
    this.next()
  }

  private next(): void {
    const e = this.entries[this.i++]
    this.slot = e ? { e, phase: 'seek', header: [], have: 0, need: 30, dataEnd: 0, sink: null } : null
  }

  private headerDone(s: Slot): boolean {
    const h = Buffer.concat(s.header)
    if (h.readUInt32LE(0) !== 0x04034b50) {
      this.problems.push(`${nameOf(s.e)}: bad local header`)
      return false
    }
    const full = 30 + h.readUInt16LE(26) + h.readUInt16LE(28)
    if (s.need < full) {
      s.need = full
      return true
    }
    s.phase = 'data'
    s.dataEnd = s.e.localOffset + full + s.e.compressedSize
    s.sink = new MemberSink(s.e, this.withSha)
    return true
  }

  /** Feed the bytes at file position `pos`. */
  async feed(chunk: Buffer, pos: number): Promise<void> {
    let off = 0
    while (this.slot && off < chunk.length) {
      const s = this.slot
      const abs = pos + off
      if (s.phase === 'seek') {
        if (abs > s.e.localOffset) {
          this.problems.push(`${nameOf(s.e)}: overlaps the member before it`)
          this.next()
          continue
        }
        if (abs < s.e.localOffset) off = Math.min(chunk.length, s.e.localOffset - pos)
        else s.phase = 'header'
        continue
      }
      if (s.phase === 'header') {
        const take = Math.min(s.need - s.have, chunk.length - off)
        s.header.push(Buffer.from(chunk.subarray(off, off + take)))
        s.have += take
        off += take
        if (s.have === s.need && !this.headerDone(s)) this.next()
        if (this.slot === s && (s.phase as Slot['phase']) === 'data' && s.dataEnd === pos + off) await this.finishMember(s)
        continue
      }
      const take = Math.min(s.dataEnd - abs, chunk.length - off)
      await s.sink!.push(chunk.subarray(off, off + take), abs + take === s.dataEnd)
      off += take
      if (abs + take === s.dataEnd) await this.finishMember(s)
    }
  }

  private async finishMember(s: Slot): Promise<void> {
    this.results.set(s.e, await s.sink!.finish())
    this.next()
  }

  /** After the last chunk: members the file ended before. */
  end(): void {
    for (; this.slot; this.next()) this.problems.push(`${nameOf(this.slot.e)}: cut off (the file ends inside it)`)
  }
}

function memberProblems(e: ZipEntry, r: MemberResult | undefined): string[] {
  if (!r) return []
  if (r.error) return [`${nameOf(e)}: ${r.error}`]
  if (r.size !== e.size) return [`${nameOf(e)}: ${r.size} bytes, declared ${e.size}`]
  if (r.crc !== e.crc32 >>> 0) return [`${nameOf(e)}: CRC-32 mismatch`]
  return []
}

/** Hash the file (on a `pool` worker when given) and check every member. `memberSha` also hashes each member's content. */
export async function checkZip(file: string, opts: { memberSha: boolean; pool?: HashPool | null }): Promise<ZipCheck> {
  const list = await listing(file)
  const entries = typeof list === 'string' ? [] : [...list].sort((a, b) => a.localOffset - b.localOffset)
  const scan = new Scanner(entries, opts.memberSha)
  const { sha256, size } = await readPass(file, opts.pool ?? null, (chunk, pos) => scan.feed(chunk, pos))
  scan.end()
  const problems = typeof list === 'string' ? [list] : [...scan.problems]
  for (const e of entries) problems.push(...memberProblems(e, scan.results.get(e)))
  const members = typeof list === 'string' ? null : list.map((e) => ({ name: nameOf(e), nameBytes: e.nameBytes, kind: e.kind, size: e.size, sha256: scan.results.get(e)?.sha256 }))
  const infos = typeof list === 'string' ? null : list.map((e) => ({ name: e.nameBytes, type: e.kind, mode: e.mode }))
  return { sha256, size, members, infos, problems }
}
