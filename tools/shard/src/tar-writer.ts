/**
 * Write one tar (or tar.gz) archive of sorted members, atomically, with fixed headers (uid/gid 0,
 * empty owner names, modes 0644/0755, the source mtime), and the member listing hashed while read.
 */
import { Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'

type Header = Partial<tar.Header> & { name: string }
import type { WriteResult } from '@clara/shared/atomic'
import { memberBody, type Body, type BodyOptions } from './member-body.js'
import { EMPTY_SHA256, localHashing, taggedHashing, type MemberHashing } from './member-hashing.js'
import { memberRow, type Member, type MemberRow } from './member.js'
import { ArchiveSink, type WriterThread } from './archive-sink.js'

export interface ArchiveOptions extends BodyOptions {
  thread: WriterThread
  gzip: boolean
  level?: number
  signal?: AbortSignal
}

/** Something that happened to one member: it is left out (error) or skipped on purpose (warning). */
export interface Problem {
  kind: 'error' | 'warning'
  item: string
  message: string
  code?: string
}

export interface ArchiveResult extends WriteResult {
  rows: MemberRow[]
  problems: Problem[]
  /** content bytes of the regular files */
  bytes: number
}

/** A large member failed after its header was written: the archive must be written again. */
export class RetryArchive extends Error {
  constructor(public member: Member, public override cause: NodeJS.ErrnoException) {
    super(cause.message)
  }
}

/** Write `members` (already in archive order) into `finalPath`. */
export async function writeArchive(finalPath: string, members: Member[], opts: ArchiveOptions): Promise<ArchiveResult> {
  const sink = await ArchiveSink.open(opts.thread, finalPath)
  const pack = tar.pack()
  const hashing = opts.gzip ? localHashing() : taggedHashing()
  const consume = async (src: AsyncIterable<Buffer>) => {
    for await (const chunk of src) await sink.write(chunk, hashing.tagOf(chunk))
  }
  const drain = opts.gzip
    ? pipeline(Readable.from(pack as AsyncIterable<Buffer>), createGzip({ level: opts.level ?? 6, chunkSize: 256 << 10 }), consume)
    : consume(pack as AsyncIterable<Buffer>)
  drain.catch(() => {}) // observed below; avoid an unhandled rejection while members are read
  try {
    const res = await packMembers(pack, members, hashing, opts)
    pack.finalize()
    await drain
    const written = await sink.commit()
    const sums = hashing.digests(written.members)
    for (const [i, row] of res.rows.entries()) if (row.kind === 'file') row.sha256 = row.size ? sums[i] : EMPTY_SHA256
    return { path: written.path, size_bytes: written.size_bytes, sha256: written.sha256, ...res }
  } catch (err) {
    pack.destroy(err as Error)
    await drain.catch(() => {})
    await sink.abort()
    throw err
  }
}

async function packMembers(pack: tar.Pack, members: Member[], hashing: MemberHashing, opts: ArchiveOptions): Promise<Omit<ArchiveResult, keyof WriteResult>> {
  const rows: MemberRow[] = []
  const problems: Problem[] = []
  let bytes = 0
  for (const m of members) {
    opts.signal?.throwIfAborted()
    let body: Body
    try {
      body = await memberBody(m, opts)
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      problems.push({ kind: 'error', item: m.name, message: e.message, code: e.code })
      continue
    }
    if (body.kind === 'skip') {
      problems.push({ kind: 'warning', item: m.name, message: body.message })
      continue
    }
    const row = memberRow(m)
    await addBody(pack, m, body, (buf, last) => hashing.chunk(rows.length, buf, last))
    if (body.kind === 'symlink') row.target = body.target
    if (row.kind === 'file') bytes += row.size
    rows.push(row)
  }
  return { rows, problems, bytes }
}

function header(m: Member, body: Body): Header {
  const e = m.entry
  const dirLike = body.kind === 'dir' || (e.mode & 0o111) !== 0
  const h: Header = {
    name: m.name,
    mode: dirLike ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime: new Date(Math.floor(e.mtimeMs / 1000) * 1000),
    type: body.kind === 'dir' ? 'directory' : body.kind === 'symlink' ? 'symlink' : 'file',
    size: body.kind === 'buffer' || body.kind === 'chunks' ? e.size : 0,
  }
  if (body.kind === 'symlink') h.linkname = body.target
  return h
}

/** Add one member; `data` sees each chunk of its content just before the packer gets it. */
async function addBody(pack: tar.Pack, m: Member, body: Body, data: (buf: Buffer, last: boolean) => void): Promise<void> {
  const hdr = header(m, body)
  if (body.kind === 'buffer') {
    if (body.buf.length) data(body.buf, true)
    return entryDone(pack, hdr, body.buf)
  }
  if (body.kind !== 'chunks') return entryDone(pack, hdr)
  const sink = pack.entry(hdr) as unknown as Writable
  const done = new Promise<void>((resolve, reject) => sink.once('close', resolve).once('error', reject))
  done.catch(() => {}) // awaited below unless reading fails first (then the whole archive is redone)
  try {
    let chunk = body.first
    for (;;) {
      const next = body.rest.next() // read ahead: the last chunk must be known as such
      data(chunk, Boolean(next.done))
      if (!sink.write(chunk)) await new Promise((r) => sink.once('drain', r))
      if (next.done) break
      chunk = Buffer.from(next.value) // the reader reuses its buffer; the pack queue keeps ours
    }
  } catch (err) {
    throw new RetryArchive(m, err as NodeJS.ErrnoException)
  }
  sink.end()
  await done
}

function entryDone(pack: tar.Pack, hdr: Header, buf?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve())
    if (buf) pack.entry(hdr, buf, cb)
    else pack.entry(hdr, cb)
  })
}
