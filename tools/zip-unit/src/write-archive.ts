/** Write one archive's members, in order, through the zip writer: each read safely, rewritten where asked. */
import { createHash } from 'node:crypto'
import { sha256 } from '@clara/shared/hash'
import { readLinkSync, readSourceChunksSync, readSourceSync, SourceChangedError, type FaultHook } from '@clara/shared/source-file'
import { ZipWriter, type EntryMeta, type ZipSink } from '@clara/shared/zip-writer'
import { display, pathFields, type Member } from './collect.js'
import { applyRewrites } from './scan.js'

export interface WriteOptions {
  level: number
  bigFile: number
  checksums: boolean
  fault?: FaultHook
}

/** One read buffer per archive being written, for files bigger than the zip's output block (smaller ones are read into the block). */
class Scratch {
  private buf = Buffer.alloc(0)
  for(size: number): Buffer {
    if (this.buf.length < size) this.buf = Buffer.allocUnsafe(Math.max(size, 1 << 20))
    return this.buf
  }
}

export interface MemberSum {
  path: string
  path_b64?: string
  size: number
  sha256: string
}

export interface Written {
  bytes: number
  entries: number
  /** files and symlinks (not directories) */
  files: number
  sums: MemberSum[]
}

/** The content of a rewritten or inline member: in memory, or read now and rewritten again (which must give the same bytes). */
function contentOf(m: Member, fault?: FaultHook): Buffer {
  if (m.data) return m.data
  const data = readSourceSync(m.entry!, { fault })
  if (!m.rewrite) return data
  const out = applyRewrites(data, display(m.name), m.rewrite.rws).data
  if (sha256(out) !== m.rewrite.sha256_after) throw new SourceChangedError(display(m.name), 'content changed between the rewrite scan and the write')
  return out
}

async function addBig(zip: ZipWriter, meta: EntryMeta, m: Member, o: WriteOptions): Promise<string> {
  const h = createHash('sha256')
  const chunks = readSourceChunksSync(m.entry!, 4 << 20, { fault: o.fault })
  const hashed = o.checksums ? (function* () {
    for (const c of chunks) {
      h.update(c)
      yield c
    }
  })() : chunks
  await zip.addChunks(meta, m.entry!.size, hashed)
  return o.checksums ? h.digest('hex') : ''
}

/** Add one member; returns the sha256 of its content when checksums are on (files and symlinks). */
async function addMember(zip: ZipWriter, m: Member, o: WriteOptions, scratch: Scratch): Promise<string> {
  const meta: EntryMeta = { name: m.name, mtime: Math.floor(m.mtimeMs / 1000), mode: m.mode }
  if (m.kind === 'dir') {
    await zip.addDir(meta)
    return ''
  }
  if (m.kind === 'symlink') {
    const target = readLinkSync(m.entry!, { fault: o.fault })
    await zip.addSymlink(meta, target)
    return o.checksums ? sha256(target) : ''
  }
  if (m.kind === 'file' && !m.data && !m.rewrite && m.entry!.size >= o.bigFile) return addBig(zip, meta, m, o)
  if (m.kind === 'file' && !m.data && !m.rewrite) {
    // read straight into the zip's output block where it fits (no copy of the bytes), else into the scratch buffer
    let sum = ''
    await zip.addFileFrom(meta, m.entry!.size, (into) => {
      const data = readSourceSync(m.entry!, { fault: o.fault, into: into ?? scratch.for(m.entry!.size) })
      if (o.checksums) sum = sha256(data)
      return data
    })
    return sum
  }
  const data = m.kind === 'inline' ? m.data! : contentOf(m, o.fault)
  if (m.kind === 'file') m.data = undefined // free a rewritten buffer once written
  await zip.addFile(meta, data)
  return o.checksums ? sha256(data) : ''
}

/** Write all members (already sorted) and the central directory to `sink`. */
export async function writeArchive(members: Member[], sink: ZipSink, o: WriteOptions): Promise<Written> {
  const zip = new ZipWriter(sink, { level: o.level })
  const sums: MemberSum[] = []
  const scratch = new Scratch()
  let files = 0
  for (const m of members) {
    const sum = await addMember(zip, m, o, scratch)
    if (m.kind !== 'dir') files++
    if (o.checksums && m.kind !== 'dir') sums.push({ ...pathFields(m.name), size: zip.central[zip.central.length - 1].size, sha256: sum })
  }
  const { bytes, entries } = await zip.finish()
  return { bytes, entries, files, sums }
}
