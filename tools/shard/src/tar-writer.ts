/**
 * Write one tar (or tar.gz) archive of sorted members, atomically, with fixed headers (uid/gid 0,
 * empty owner names, modes 0644/0755, the source mtime; see tar-format.ts), and the member listing.
 * File contents are read straight into the output blocks (no intermediate buffers): here while the
 * cache is warm, on the thread pool with several reads in flight (READS_IN_FLIGHT) while it is cold,
 * the tar laid out ahead of them. Each member's sha256 is taken from those bytes as the blocks go
 * out (no second read), here or on the writer thread, which hashes the archive as it writes it.
 */
import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import fs from 'node:fs'
import { createGzip, type Gzip } from 'node:zlib'
import type { WriteResult } from '@clara/shared/atomic'
import { finishSourceRead, openSourceUnchecked, readLinkSync, readSourceAt, readSourceAtAsync, skipMessage, sourceAction, SourceChangedError, type FaultHook } from '@clara/shared/source-file'
import { ArchiveSink, BlockCursor, type Block, type WriterThread } from './archive-sink.js'
import { memberRow, restat, type Member, type MemberRow } from './member.js'
import { encodeHeader, END_OF_ARCHIVE, padded, type TarHeader } from './tar-format.js'

export interface ArchiveOptions {
  thread: WriterThread
  gzip: boolean
  level?: number
  signal?: AbortSignal
  fault?: FaultHook
  /** how often a file that keeps changing is read (default 2: retried once, then a failure) */
  attempts?: number
  /** write the member listing: called once every member is in, while the archive is flushed and fsynced */
  listing?: (rows: MemberRow[]) => Promise<WriteResult>
  /**
   * Where file reads run. 'auto' (the default): here while they are fast (a warm cache, where a
   * thread pool round trip costs more than the read), on the thread pool, READS_IN_FLIGHT at once,
   * while they are slow (a cold cache serves parallel reads much faster). 'pool': always there.
   */
  reads?: 'auto' | 'pool'
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
  /** the most file reads that were in flight at once */
  peakReads: number
}

/** A member failed after part of it was handed on to the writer: the archive must be written again. */
export class RetryArchive extends Error {
  constructor(public member: Member, public override cause: NodeJS.ErrnoException) {
    super(cause.message)
  }
}

const BLOCK_BYTES = 1 << 20
/** file reads in flight at once (the thread pool runs 4; the rest queue, so none is idle between reads) */
export const READS_IN_FLIGHT = 16
/**
 * Every PROBE_EVERY reads ('auto'), a look at the process's disk reads (getrusage: 512-byte blocks
 * read from the device): if a quarter or more of the bytes read since the last look came from the
 * disk, the cache is cold and the next reads go to the thread pool; else they are read here. (A
 * few blocks always come: file system metadata. Timing reads cannot tell: on a busy machine a
 * cached read is often descheduled for longer than a disk read takes.)
 */
const PROBE_EVERY = 32
const ZEROS = Buffer.alloc(512)
export const EMPTY_SHA256 = createHash('sha256').digest('hex')

/** What became of one member: its listing row, or the problem that left it out. */
type Added = { row: MemberRow } | { problem: Problem }

/** Write `members` (already in archive order) into `finalPath`. */
export async function writeArchive(finalPath: string, members: Member[], opts: ArchiveOptions): Promise<ArchiveResult> {
  const sink = await ArchiveSink.open(opts.thread, finalPath)
  const out = opts.gzip ? new GzipOut(sink, opts.level ?? 6) : sink
  const reads = new Reads(out, opts)
  try {
    const added: Added[] = []
    const tries = new Map<number, number>()
    let idx = 0
    for (;;) {
      if (out.stalled) {
        idx = await recover(out, reads, added, tries, opts)
        continue
      }
      if (idx < members.length) {
        opts.signal?.throwIfAborted()
        added[idx] = await addMember(out, members[idx], idx, reads, opts)
        idx++
        continue
      }
      await out.put(END_OF_ARCHIVE)
      await out.finish()
      if (!out.stalled) break
    }
    if (out instanceof GzipOut) await out.end()
    const remote = out === sink ? await sink.memberSums() : {}
    const rows: MemberRow[] = []
    const problems: Problem[] = []
    let bytes = 0
    for (const [i, a] of added.entries()) {
      if ('problem' in a) {
        problems.push(a.problem)
        continue
      }
      const row = a.row
      if (row.kind === 'file') {
        bytes += row.size
        row.sha256 = row.size ? (out.sums.get(i) ?? remote[i]) : EMPTY_SHA256
      }
      rows.push(row)
    }
    // the listing's fsync and the archive's overlap (either may land first; index.json, written last, names both)
    const committing = sink.commit()
    committing.catch(() => {}) // awaited below
    const listing = await opts.listing?.(rows)
    const written = await committing
    return { path: written.path, size_bytes: written.size_bytes, sha256: written.sha256, rows, problems, bytes, peakReads: reads.peak, ...(listing ? { listing } : {}) }
  } catch (err) {
    await reads.settle() // no read may land in a block after it went back for reuse
    if (out instanceof GzipOut) await out.destroy(err as Error)
    await sink.abort()
    throw err
  }
}

/**
 * After a member failed while read: every read lands, then everything from the first failed
 * member on is taken back (the archive is written again when part of it already went out). That
 * member is read again when it changed (once, as clara-zip-unit does), else left out with a
 * problem. Returns the index to go on from.
 */
async function recover(out: BlockCursor, reads: Reads, added: Added[], tries: Map<number, number>, opts: ArchiveOptions): Promise<number> {
  await reads.settle()
  // every failed member is in `failed` now: its reads have landed, and its laying ended (addFile's finally)
  const f = reads.failed.reduce((a, b) => (b.idx < a.idx ? b : a))
  reads.failed = []
  if (!out.rewind(f.mark)) throw new RetryArchive(f.m, f.err!)
  added.length = f.idx
  const n = tries.get(f.idx) ?? 1
  if (f.err!.code !== 'ECHANGED' || n >= (opts.attempts ?? 2)) {
    added[f.idx] = problemOf(f.m, f.err)
    return f.idx + 1
  }
  tries.set(f.idx, n + 1)
  try {
    f.m.entry = await restat(f.m)
  } catch (e) {
    added[f.idx] = problemOf(f.m, e)
    return f.idx + 1
  }
  return f.idx
}

function headerOf(m: Member, kind: 'file' | 'dir' | 'symlink', target?: Buffer): TarHeader {
  const e = m.entry
  const dirLike = kind === 'dir' || (e.mode & 0o111) !== 0
  return {
    name: m.name,
    // `name` is nameBytes decoded: the same bytes again exactly when they are UTF-8
    ...(isUtf8(m.nameBytes) ? {} : { nameBytes: m.nameBytes }),
    mode: dirLike ? 0o755 : 0o644,
    mtime: Math.floor(e.mtimeMs / 1000),
    type: kind === 'dir' ? 'directory' : kind,
    size: kind === 'file' ? e.size : 0,
    ...(target !== undefined ? { linkname: target } : {}),
  }
}

const problemOf = (m: Member, err: unknown): { problem: Problem } => {
  const e = err as NodeJS.ErrnoException
  return { problem: { kind: 'error', item: m.name, message: e.message, code: e.code } }
}

/** Add one member (its header, and its content's reads) to `out`; a member that cannot be opened is left out with a problem. */
async function addMember(out: BlockCursor, m: Member, idx: number, reads: Reads, opts: ArchiveOptions): Promise<Added> {
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
  let fd: number
  try {
    fd = openSourceUnchecked(m.entry, { fault: opts.fault })
  } catch (err) {
    return problemOf(m, err)
  }
  await addFile(out, m, idx, fd, reads)
  return { row: memberRow(m) }
}

/**
 * A regular file: header, reads of its content into the output blocks (in flight while the next
 * members are laid out), padding. A file that fits in the current block (all files up to ~1 MiB:
 * the block is closed first if it has too little room) can always be taken back when reading it
 * fails; a larger one, once a block holding part of it went out, makes the archive be written
 * again (RetryArchive). A failure sets `out.stalled`: laying stops until `recover`.
 */
async function addFile(out: BlockCursor, m: Member, idx: number, fd: number, reads: Reads): Promise<void> {
  const e = m.entry
  const hdr = encodeHeader(headerOf(m, 'file'))
  const total = hdr.length + padded(e.size)
  const r: Reading = { idx, m, fd, mark: 0, left: 1, got: 0, last: null, err: null }
  try {
    if (total > out.room() && total <= BLOCK_BYTES) await out.next()
    r.mark = out.mark()
    // (awaits only when needed: one per member costs more than its header)
    const put = out.put(hdr)
    if (put) await put
    const remote = out.offload()
    let pos = 0
    while (pos < e.size) {
      if (!out.room()) await out.next()
      if (reads.inFlight >= READS_IN_FLIGHT) await reads.slot()
      if (out.stalled) return // a member failed: this one is taken back too, nothing more to lay
      const want = Math.min(e.size - pos, out.room())
      const last = pos + want === e.size
      reads.read(r, out.view(want), pos, out.hold(), last)
      out.advance(want)
      out.content(idx, want, last, remote)
      pos += want
    }
    const pad = padded(e.size) - e.size
    const padding = pad ? out.put(ZEROS.subarray(0, pad)) : undefined
    if (padding) await padding
  } finally {
    reads.issued(r)
  }
}

/** A regular file being read into the blocks. */
interface Reading {
  idx: number
  m: Member
  fd: number
  /** where its header starts (out.mark) */
  mark: number
  /** reads not yet landed, plus one while more may be issued */
  left: number
  /** bytes landed */
  got: number
  /** the block its last bytes go to: held until the file is checked */
  last: Block | null
  err: NodeJS.ErrnoException | null
}

/**
 * The reads in flight. A block holding a file's last bytes goes on only once the file checked out
 * (all of it read, the same size and mtime after reading, see finishSourceRead); a failed file
 * keeps its blocks back (`failed`, `out.stalled`) until `recover` takes it back.
 */
class Reads {
  inFlight = 0
  /** the most in flight at once */
  peak = 0
  failed: Reading[] = []
  /** reads go to the thread pool ('auto': while the cache is cold, see PROBE_EVERY) */
  private pool: boolean
  private reads = 0
  /** bytes asked for since the last look */
  private asked = 0
  private diskBlocks = process.resourceUsage().fsRead

  constructor(private out: BlockCursor, private opts: ArchiveOptions) {
    this.pool = opts.reads === 'pool'
  }

  /** Wait until another read may start (or a member failed). */
  async slot(): Promise<void> {
    while (this.inFlight >= READS_IN_FLIGHT && !this.out.stalled) await this.out.settled()
  }

  /** Wait until every read has landed. */
  async settle(): Promise<void> {
    while (this.inFlight) await this.out.settled()
  }

  /** Read `view.length` bytes of `r` from `pos` into `view` (in block `b`; `last`: its last bytes), here or on the thread pool. */
  read(r: Reading, view: Buffer, pos: number, b: Block, last: boolean): void {
    if (++this.inFlight > this.peak) this.peak = this.inFlight
    r.left++
    if (last) r.last = b
    const done = (err: NodeJS.ErrnoException | null, n: number): void => {
      this.inFlight--
      r.got += n
      if (!err && n < view.length) err = new SourceChangedError(r.m.entry.rel, `read ${n} of ${view.length} bytes at ${pos}`)
      if (err) {
        r.err ??= err
        this.out.stalled = true // nothing waits for the blocks it holds, nothing more is laid
      }
      // a block with part of a large file goes on as soon as its part is in (a later failure rewrites the archive)
      else if (!last && !r.err) this.out.release(b)
      this.landed(r)
      this.out.poke()
    }
    const opts = { fault: this.opts.fault }
    this.asked += view.length
    if (++this.reads % PROBE_EVERY === 0 && this.opts.reads !== 'pool') {
      const disk = process.resourceUsage().fsRead
      this.pool = (disk - this.diskBlocks) * 512 * 4 >= this.asked
      this.diskBlocks = disk
      this.asked = 0
    }
    if (this.pool) {
      readSourceAtAsync(r.m.entry, r.fd, view, pos, opts, done)
      return
    }
    let n = 0
    let err: NodeJS.ErrnoException | null = null
    try {
      n = readSourceAt(r.m.entry, r.fd, view, pos, opts)
    } catch (e) {
      err = e as NodeJS.ErrnoException
    }
    done(err, n)
  }

  /** No more reads will be issued for `r`. */
  issued(r: Reading): void {
    this.landed(r)
  }

  private landed(r: Reading): void {
    if (--r.left) return
    if (!r.err) {
      try {
        finishSourceRead(r.m.entry, r.fd, r.got)
      } catch (err) {
        r.err = err as NodeJS.ErrnoException
      }
    }
    try {
      fs.closeSync(r.fd)
    } catch {
      // a read-only fd: nothing of the file depends on its close (and this runs in a read's callback)
    }
    if (r.err) {
      this.failed.push(r)
      this.out.stalled = true
      this.out.poke()
    } else if (r.last) this.out.release(r.last)
  }
}

/** For a .tgz: tar bytes are laid into local blocks, then deflated (native zlib) into the archive sink. */
class GzipOut extends BlockCursor {
  private gz: Gzip
  private drained: Promise<void>

  constructor(private sink: ArchiveSink, level: number) {
    const free: Buffer[] = []
    super(
      () => free.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES),
      (buf) => free.push(buf),
    )
    this.gz = createGzip({ level, chunkSize: 256 << 10 })
    const gz = this.gz
    this.drained = (async () => {
      for await (const chunk of gz) await sink.put(chunk as Buffer)
    })()
    this.drained.catch(() => {}) // observed in send() and end()
  }

  /** the archive holds compressed bytes: members are hashed on the reading thread */
  offload(): boolean {
    return false
  }

  protected async send(b: Block): Promise<void> {
    const chunk = Buffer.from(b.buf.subarray(0, b.used)) // the stream keeps it; the block is reused
    this.recycle(b.buf)
    if (!this.gz.write(chunk)) await Promise.race([once(this.gz, 'drain'), this.drained])
  }

  /** After `finish`: the last compressed bytes, into the sink and on to the writer. */
  async end(): Promise<void> {
    this.gz.end()
    await this.drained
    await this.sink.finish()
  }

  async destroy(err: Error): Promise<void> {
    this.gz.destroy(err)
    await this.drained.catch(() => {})
  }
}
