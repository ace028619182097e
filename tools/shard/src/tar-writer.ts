/**
 * Write one tar (or tar.gz) archive of sorted members, atomically, with fixed headers (uid/gid 0,
 * empty owner names, modes 0644/0755, the source mtime; see tar-format.ts), and the member listing.
 * File contents are read straight into the output blocks (no intermediate buffers) and each
 * member's sha256 is taken from those bytes (no second read): here, or on the writer thread when
 * that one is keeping up; the writer thread hashes the archive as it writes it.
 */
import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import fs from 'node:fs'
import { createGzip, type Gzip } from 'node:zlib'
import type { WriteResult } from '@clara/shared/atomic'
import { finishSourceRead, openSourceSync, readLinkSync, readSourceAt, skipMessage, sourceAction, type FaultHook } from '@clara/shared/source-file'
import { ArchiveSink, BlockCursor, type BlockOut, type WriterThread } from './archive-sink.js'
import { memberRow, restat, type Member, type MemberRow } from './member.js'
import { encodeHeader, END_OF_ARCHIVE, padded, type TarHeader } from './tar-format.js'

export interface ArchiveOptions {
  thread: WriterThread
  gzip: boolean
  level?: number
  signal?: AbortSignal
  fault?: FaultHook
  /** how often a small file that keeps changing is read (default 2: retried once, then a failure) */
  attempts?: number
  /** write the member listing: called once every member is in, while the archive is flushed and fsynced */
  listing?: (rows: MemberRow[]) => Promise<WriteResult>
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
  /** what `opts.listing` wrote */
  listing?: WriteResult
  problems: Problem[]
  /** content bytes of the regular files */
  bytes: number
}

/** A member failed after part of it was handed on to the writer: the archive must be written again. */
export class RetryArchive extends Error {
  constructor(public member: Member, public override cause: NodeJS.ErrnoException) {
    super(cause.message)
  }
}

const BLOCK_BYTES = 1 << 20
const ZEROS = Buffer.alloc(512)
export const EMPTY_SHA256 = createHash('sha256').digest('hex')

/** Write `members` (already in archive order) into `finalPath`. */
export async function writeArchive(finalPath: string, members: Member[], opts: ArchiveOptions): Promise<ArchiveResult> {
  const sink = await ArchiveSink.open(opts.thread, finalPath)
  const out = opts.gzip ? new GzipOut(sink, opts.level ?? 6) : sink
  try {
    const rows: MemberRow[] = []
    const problems: Problem[] = []
    let bytes = 0
    for (const [idx, m] of members.entries()) {
      opts.signal?.throwIfAborted()
      const r = await addMember(out, m, idx, opts)
      if ('problem' in r) problems.push(r.problem)
      else {
        rows.push(r.row)
        if (r.row.kind === 'file') bytes += r.row.size
      }
    }
    await out.put(END_OF_ARCHIVE)
    if (out instanceof GzipOut) await out.end()
    if (rows.some((r) => r.sha256 === PENDING)) {
      const sums = await sink.memberSums()
      for (const row of rows) if (row.sha256 === PENDING) row.sha256 = sums[pendingIdx.get(row)!]
    }
    // the listing's fsync and the archive's overlap (either may land first; index.json, written last, names both)
    const committing = sink.commit()
    committing.catch(() => {}) // awaited below
    const listing = await opts.listing?.(rows)
    const written = await committing
    return { path: written.path, size_bytes: written.size_bytes, sha256: written.sha256, rows, problems, bytes, ...(listing ? { listing } : {}) }
  } catch (err) {
    if (out instanceof GzipOut) await out.destroy(err as Error)
    await sink.abort()
    throw err
  }
}

function headerOf(m: Member, kind: 'file' | 'dir' | 'symlink', target?: Buffer): TarHeader {
  const e = m.entry
  const dirLike = kind === 'dir' || (e.mode & 0o111) !== 0
  return {
    name: m.name,
    ...(m.nameBytes.equals(Buffer.from(m.name)) ? {} : { nameBytes: m.nameBytes }),
    mode: dirLike ? 0o755 : 0o644,
    mtime: Math.floor(e.mtimeMs / 1000),
    type: kind === 'dir' ? 'directory' : kind,
    size: kind === 'file' ? e.size : 0,
    ...(target !== undefined ? { linkname: target } : {}),
  }
}

type Added = { row: MemberRow } | { problem: Problem }

/** a member sha256 the writer thread is computing (BlockOut.offload) */
const PENDING = 'pending'
const pendingIdx = new WeakMap<MemberRow, number>()

const problemOf = (m: Member, err: unknown): { problem: Problem } => {
  const e = err as NodeJS.ErrnoException
  return { problem: { kind: 'error', item: m.name, message: e.message, code: e.code } }
}

/** Add one member (its header and content) to `out`; a member that cannot be read is left out with a problem. */
async function addMember(out: BlockOut, m: Member, idx: number, opts: ArchiveOptions): Promise<Added> {
  const action = sourceAction(m.entry)
  if (action === 'skip') return { problem: { kind: 'warning', item: m.name, message: skipMessage(m.entry) } }
  if (action === 'dir') {
    await out.put(encodeHeader(headerOf(m, 'dir')))
    return { row: memberRow(m) }
  }
  if (action === 'symlink') {
    let target: Buffer
    try {
      target = readLinkSync(m.entry, { fault: opts.fault })
    } catch (err) {
      return problemOf(m, err)
    }
    await out.put(encodeHeader(headerOf(m, 'symlink', target)))
    // the target as read now (it may have changed since the walk), exact bytes in target_b64 when not UTF-8
    const row: MemberRow = { ...memberRow(m), target: target.toString('utf8') }
    delete row.target_b64
    if (!isUtf8(target)) row.target_b64 = target.toString('base64')
    return { row }
  }
  const attempts = opts.attempts ?? 2
  for (let i = 1; ; i++) {
    try {
      const sha256 = await addFile(out, m, idx, opts)
      const row = { ...memberRow(m), sha256 }
      if (sha256 === PENDING) pendingIdx.set(row, idx)
      return { row }
    } catch (err) {
      if (err instanceof RetryArchive) throw err
      if ((err as NodeJS.ErrnoException).code !== 'ECHANGED' || i >= attempts) return problemOf(m, err)
      try {
        m.entry = await restat(m)
      } catch (e) {
        return problemOf(m, e)
      }
      if (sourceAction(m.entry) !== 'read') return addMember(out, m, idx, opts)
    }
  }
}

/**
 * A regular file: header, content read into the output blocks, padding. A file that fits in the
 * current block (all files up to ~1 MiB: the block is handed on first if it has too little room)
 * is taken back entirely when reading fails; a larger one that fails after a block holding part of
 * it was handed on throws RetryArchive. Returns the content's sha256 (PENDING when the writer
 * thread hashes it, see BlockOut.offload).
 */
async function addFile(out: BlockOut, m: Member, idx: number, opts: ArchiveOptions): Promise<string> {
  const e = m.entry
  const fd = openSourceSync(e, { fault: opts.fault })
  try {
    const hdr = encodeHeader(headerOf(m, 'file'))
    const total = hdr.length + padded(e.size)
    if (total > out.room() && total <= BLOCK_BYTES) await out.next()
    const mark = out.mark()
    await out.put(hdr)
    const remote = out.offload()
    const hash = e.size && !remote ? createHash('sha256') : null
    let pos = 0
    try {
      while (pos < e.size) {
        if (!out.room()) await out.next()
        const want = Math.min(e.size - pos, out.room())
        const view = out.view(want)
        const n = readSource(e, fd, view, pos, opts)
        if (hash) hash.update(n === want ? view : view.subarray(0, n))
        out.advance(n)
        pos += n
        if (remote && n) out.content(idx, n, pos === e.size)
        if (n < want) break // shrank: the final check says so
      }
      finishSource(e, fd, pos)
    } catch (err) {
      if (!(err instanceof SourceError)) throw err // the output failed: fatal, not the file's fault
      if (out.rewind(mark)) throw err.cause
      throw new RetryArchive(m, err.cause)
    }
    const pad = padded(e.size) - e.size
    if (pad) await out.put(ZEROS.subarray(0, pad))
    return !e.size ? EMPTY_SHA256 : hash ? hash.digest('hex') : PENDING
  } finally {
    fs.closeSync(fd)
  }
}

/** A failure of the source file (not of the output). */
class SourceError extends Error {
  constructor(public override cause: NodeJS.ErrnoException) {
    super(cause.message)
  }
}

function readSource(e: Member['entry'], fd: number, view: Buffer, pos: number, opts: ArchiveOptions): number {
  try {
    return readSourceAt(e, fd, view, pos, { fault: opts.fault })
  } catch (err) {
    throw new SourceError(err as NodeJS.ErrnoException)
  }
}

function finishSource(e: Member['entry'], fd: number, total: number): void {
  try {
    finishSourceRead(e, fd, total)
  } catch (err) {
    throw new SourceError(err as NodeJS.ErrnoException)
  }
}

/** For a .tgz: tar bytes are laid into a local block, then deflated (native zlib) into the archive sink. */
class GzipOut extends BlockCursor {
  /** the archive holds compressed bytes: members are hashed on the reading thread */
  offload(): boolean {
    return false
  }

  protected cur = Buffer.allocUnsafe(BLOCK_BYTES)
  private gz: Gzip
  private drained: Promise<void>

  constructor(sink: ArchiveSink, level: number) {
    super()
    this.gz = createGzip({ level, chunkSize: 256 << 10 })
    const gz = this.gz
    this.drained = (async () => {
      for await (const chunk of gz) await sink.put(chunk as Buffer)
    })()
    this.drained.catch(() => {}) // observed in next() and end()
  }

  content(): void {}

  async next(): Promise<void> {
    if (!this.used) return
    const chunk = Buffer.from(this.cur.subarray(0, this.used)) // the stream keeps it; the block is reused
    this.used = 0
    this.sent++
    if (!this.gz.write(chunk)) await Promise.race([once(this.gz, 'drain'), this.drained])
  }

  async end(): Promise<void> {
    await this.next()
    this.gz.end()
    await this.drained
  }

  async destroy(err: Error): Promise<void> {
    this.gz.destroy(err)
    await this.drained.catch(() => {})
  }
}
