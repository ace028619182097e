/**
 * The output side of an archive: tar bytes are laid (and file contents read) straight into 1 MiB
 * blocks that are handed (transferred, not copied) to a writer thread, which hashes and writes them
 * atomically. Blocks come back for reuse; at most a few are in flight, so memory stays bounded
 * however fast the reader is.
 */
import { Worker } from 'node:worker_threads'
import type { WriteResult } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { blockWriter, type WriterMsg } from './block-writer.js'

const BLOCK = 1 << 20
const IN_FLIGHT = 4

type Reply = { op: 'written' | 'done'; buf?: ArrayBuffer; res?: WriteResult; sums?: Record<number, string>; error?: string; code?: string }

/** Member content inside a block: [member index, offset, length, 1 if it ends the member]. */
export type Span = [number, number, number, number]

function fail(what: string, r: Reply): never {
  throw new ClaraError(`${what}: ${r.error}`, EXIT.FATAL, r.code ?? 'EIO')
}

/**
 * The writer of a run's archives (one at a time), reused for every archive: a thread of its own,
 * or with `{ local: true }` this thread (for pool workers: there the writes overlap the reading on
 * libuv's threads, and a second thread per worker would only cost memory). `close()` ends it.
 */
export class WriterThread {
  private worker: Worker | null = null
  readonly local: boolean
  private handle: ((m: WriterMsg) => void) | null = null
  private waiters: ((r: Reply) => void)[] = []
  onWritten: ((r: Reply) => void) | null = null
  /** 1 MiB blocks back from the writer, for the next writes (of any archive) */
  free: ArrayBuffer[] = []

  constructor(opts: { local?: boolean } = {}) {
    const dispatch = (r: Reply) => (r.op === 'written' ? this.onWritten?.(r) : this.waiters.shift()?.(r))
    this.local = Boolean(opts.local)
    if (opts.local) {
      this.handle = blockWriter((r) => dispatch(r as Reply))
      return
    }
    // no execArgv: the thread needs none of the parent's loaders (a test runner's would slow its start by seconds)
    this.worker = new Worker(new URL('./write-worker.js', import.meta.url), { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 8 } })
    this.worker.unref()
    this.worker.on('message', dispatch)
    this.worker.on('error', (err) => {
      for (const w of this.waiters.splice(0)) w({ op: 'done', error: err.message })
    })
  }

  /** Send a control message (open, commit, abort) and wait for its answer. */
  request(msg: WriterMsg): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiters.push(resolve)
      this.post(msg, [])
    })
  }

  post(msg: WriterMsg, transfer: ArrayBuffer[]): void {
    if (this.handle) this.handle(msg)
    else this.worker!.postMessage(msg, transfer)
  }

  async close(): Promise<void> {
    await this.worker?.terminate()
  }
}

/**
 * Where tar bytes go, a block at a time: the caller fills `view(n)` (at most `room()` bytes) and
 * `advance`s; `next()` hands the block on. Bytes since `mark()` can be taken back while no block
 * was handed on (`rewind`), so a small member that fails while read leaves no trace.
 */
export interface BlockOut {
  room(): number
  view(n: number): Buffer
  advance(n: number): void
  /** copy bytes in (across blocks as needed) */
  put(bytes: Uint8Array): Promise<void>
  next(): Promise<void>
  mark(): number
  /** false once the block holding the mark was handed on */
  rewind(mark: number): boolean
  /**
   * Should the writer hash the next member's content? Yes when it is a thread of its own and
   * keeping up (few blocks queued): the reading thread is then the busier one. The reader marks
   * such content with `content` instead of hashing it. Either way the same sha256.
   */
  offload(): boolean
  /** The last `n` bytes advanced are content of member `idx` (`last`: its final bytes). */
  content(idx: number, n: number, last: boolean): void
}

/** Copy `bytes` into `out`, block after block: the one way both sinks take bytes they did not lay themselves. */
export async function putBytes(out: BlockOut, bytes: Uint8Array): Promise<void> {
  let off = 0
  while (off < bytes.length) {
    if (!out.room()) await out.next()
    const n = Math.min(bytes.length - off, out.room())
    out.view(n).set(bytes.subarray(off, off + n))
    out.advance(n)
    off += n
  }
}

/**
 * What both sinks keep the same way: the block being filled (`cur`), how much of it is used, and how
 * many blocks were handed on; a mark holds both, so a rewind knows whether its block is still here.
 */
export abstract class BlockCursor implements BlockOut {
  protected abstract cur: Buffer
  protected used = 0
  protected sent = 0

  abstract next(): Promise<void>
  abstract offload(): boolean
  abstract content(idx: number, n: number, last: boolean): void

  room(): number {
    return this.cur.length - this.used
  }

  view(n: number): Buffer {
    return this.cur.subarray(this.used, this.used + n)
  }

  advance(n: number): void {
    this.used += n
  }

  put(bytes: Uint8Array): Promise<void> {
    return putBytes(this, bytes)
  }

  mark(): number {
    return this.sent * (this.cur.length + 1) + this.used
  }

  rewind(mark: number): boolean {
    const base = this.cur.length + 1
    if (Math.floor(mark / base) !== this.sent) return false
    this.used = mark % base
    this.rewound()
    return true
  }

  /** After a rewind: forget what was noted about the bytes taken back. */
  protected rewound(): void {}
}

export class ArchiveSink extends BlockCursor {
  protected cur: Buffer
  private inFlight = 0
  private wake: (() => void) | null = null
  private error: Reply | null = null
  private spans: Span[] = []

  private constructor(private t: WriterThread) {
    super()
    this.cur = this.block()
    t.onWritten = (r) => {
      if (r.buf) t.free.push(r.buf)
      if (r.error && !this.error) this.error = r
      this.inFlight--
      this.wake?.()
    }
  }

  static async open(t: WriterThread, path: string, mode = 0o640): Promise<ArchiveSink> {
    const r = await t.request({ op: 'open', path, mode })
    if (r.error) fail(`opening ${path}`, r)
    return new ArchiveSink(t)
  }

  private block(): Buffer {
    return Buffer.from(this.t.free.pop() ?? new ArrayBuffer(BLOCK))
  }

  protected override rewound(): void {
    while (this.spans.length && this.spans[this.spans.length - 1][1] >= this.used) this.spans.pop()
  }

  offload(): boolean {
    return !this.t.local && this.inFlight < IN_FLIGHT / 2
  }

  content(idx: number, n: number, last: boolean): void {
    this.spans.push([idx, this.used - n, n, last ? 1 : 0])
  }

  /** The sha256 of every member marked with `content`, by index, once the writer has all blocks. */
  async memberSums(): Promise<Record<number, string>> {
    await this.next()
    const r = await this.t.request({ op: 'sums' })
    if (r.error) fail('writing archive', r)
    return r.sums ?? {}
  }

  /** Hand the current block (full or not) to the writer thread. */
  async next(): Promise<void> {
    if (this.error) fail('writing archive', this.error)
    if (!this.used) return
    while (this.inFlight >= IN_FLIGHT) await new Promise<void>((r) => (this.wake = r))
    this.wake = null
    const buf = this.cur.buffer as ArrayBuffer
    this.t.post({ op: 'write', buf, len: this.used, spans: this.spans }, [buf])
    this.inFlight++
    this.sent++
    this.cur = this.block()
    this.used = 0
    this.spans = []
  }

  /** Flush, fsync, rename. */
  async commit(): Promise<WriteResult> {
    await this.next()
    const r = await this.t.request({ op: 'commit' })
    if (r.error || !r.res) fail('writing archive', r)
    return r.res
  }

  async abort(): Promise<void> {
    await this.t.request({ op: 'abort' })
  }
}
