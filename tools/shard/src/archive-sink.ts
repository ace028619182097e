/**
 * The output side of an archive: tar bytes are laid (and file contents read) straight into 1 MiB
 * blocks, which are handed (transferred, not copied) to a writer thread that hashes and writes them
 * atomically. A block is handed on once every read into it has landed; up to BLOCKS_AHEAD blocks
 * wait for their reads, and at most IN_FLIGHT are at the writer, so memory stays bounded however
 * fast the reader is. Blocks come back for reuse.
 */
import { createHash, type Hash } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import type { WriteResult } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { blockWriter, type WriterMsg } from './block-writer.js'

const BLOCK = 1 << 20
const IN_FLIGHT = 4
/** filled blocks that may wait for their reads (the reads in flight land in them) */
export const BLOCKS_AHEAD = 8

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

/** A block of the archive, handed on once no read into it is outstanding. */
export interface Block {
  buf: Buffer
  used: number
  /** content spans hashed on this thread when the block is handed on */
  local: Span[]
  /** content spans the writer thread hashes */
  remote: Span[]
  /** reads (or member checks) still to land before the block may go */
  holds: number
  /** its number in the archive, from 0 */
  seq: number
}

/**
 * Where tar bytes go, a block at a time: the caller fills `view(n)` (at most `room()` bytes) and
 * `advance`s; `next()` closes the block. Content that a read will fill later is `hold`-ed: closed
 * blocks wait (up to `ahead` of them) until their holds are released, then go on in order, and
 * member content spans in them are hashed on the way (here, or by the writer thread: `offload`),
 * so every member's sha256 comes from the bytes as they go out, once. Bytes since `mark()` can be
 * taken back (`rewind`) while the block holding the mark has not gone (every read must have landed
 * first), so a member that fails while read leaves no trace.
 */
export abstract class BlockCursor {
  protected cur: Block
  private ahead: Block[] = []
  /** blocks handed on (the number of the next one to go) */
  private sent = 0
  private wake: (() => void) | null = null
  private hashes = new Map<number, Hash>()
  /** the sha256 of the members hashed on this thread, by member index */
  readonly sums = new Map<number, string>()
  /** set while a member has failed: its holds will not be released, so nothing waits for them */
  stalled = false

  constructor(private alloc: () => Buffer, protected recycle: (buf: Buffer) => void, private maxAhead = BLOCKS_AHEAD) {
    this.cur = this.block(0)
  }

  /** Should the writer thread hash the next member's content (it keeps up, and is a thread of its own)? */
  abstract offload(): boolean
  /** Hand a block on (its buffer is no longer ours). */
  protected abstract send(b: Block): Promise<void>

  private block(seq: number): Block {
    return { buf: this.alloc(), used: 0, local: [], remote: [], holds: 0, seq }
  }

  room(): number {
    return this.cur.buf.length - this.cur.used
  }

  view(n: number): Buffer {
    return this.cur.buf.subarray(this.cur.used, this.cur.used + n)
  }

  advance(n: number): void {
    this.cur.used += n
  }

  /** Copy bytes in, across blocks as needed; a promise (to await) only when a block had to be closed. */
  put(bytes: Uint8Array): Promise<void> | undefined {
    if (bytes.length > this.room()) return this.putAcross(bytes)
    this.view(bytes.length).set(bytes)
    this.advance(bytes.length)
    return undefined
  }

  private async putAcross(bytes: Uint8Array): Promise<void> {
    let off = 0
    while (off < bytes.length) {
      if (!this.room()) await this.next()
      const n = Math.min(bytes.length - off, this.room())
      this.view(n).set(bytes.subarray(off, off + n))
      this.advance(n)
      off += n
    }
  }

  /** The last `n` bytes advanced are content of member `idx` (`last`: its final bytes), to be hashed on the way out. */
  content(idx: number, n: number, last: boolean, remote: boolean): void {
    ;(remote ? this.cur.remote : this.cur.local).push([idx, this.cur.used - n, n, last ? 1 : 0])
  }

  /** A read will land in the current block: it stays until `release`. */
  hold(): Block {
    this.cur.holds++
    return this.cur
  }

  release(b: Block): void {
    if (--b.holds === 0) this.poke()
  }

  /** Wake whoever waits in `settled` (a read landed, a member failed). */
  poke(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  /** Resolves at the next `poke`. */
  settled(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve))
  }

  /** Close the current block; hand on those that are ready, waiting while too many are ahead. */
  async next(): Promise<void> {
    this.close()
    await this.flush(this.maxAhead)
  }

  /** Close the current block and hand on every block, once its reads have landed (unless `stalled`). */
  async finish(): Promise<void> {
    this.close()
    await this.flush(0)
  }

  private close(): void {
    if (!this.cur.used) return
    this.ahead.push(this.cur)
    this.cur = this.block(this.cur.seq + 1)
  }

  private async flush(limit: number): Promise<void> {
    while (this.ahead.length) {
      const b = this.ahead[0]
      if (b.holds === 0) {
        this.ahead.shift()
        this.hashLocal(b)
        this.sent++
        await this.send(b)
      } else if (this.ahead.length > limit && !this.stalled) await this.settled()
      else return
    }
  }

  private hashLocal(b: Block): void {
    for (const [idx, off, len, last] of b.local) {
      let h = this.hashes.get(idx)
      if (!h) this.hashes.set(idx, (h = createHash('sha256')))
      h.update(b.buf.subarray(off, off + len))
      if (last) {
        this.sums.set(idx, h.digest('hex'))
        this.hashes.delete(idx)
      }
    }
  }

  mark(): number {
    return this.cur.seq * (this.cur.buf.length + 1) + this.cur.used
  }

  /** Take back everything after `mark`; false once its block has gone. Every read must have landed. */
  rewind(mark: number): boolean {
    const base = this.cur.buf.length + 1
    const seq = Math.floor(mark / base)
    if (seq < this.sent) return false
    const keep = seq === this.cur.seq ? this.cur : this.ahead.find((b) => b.seq === seq)!
    for (const b of [...this.ahead, this.cur]) if (b.seq > seq) this.recycle(b.buf)
    this.ahead = this.ahead.filter((b) => b.seq < seq)
    keep.used = mark % base
    keep.holds = 0 // what still held it (the failed member and those after it) is taken back
    keep.local = keep.local.filter((x) => x[1] < keep.used)
    keep.remote = keep.remote.filter((x) => x[1] < keep.used)
    this.cur = keep
    this.stalled = false
    return true
  }
}

export class ArchiveSink extends BlockCursor {
  private inFlight = 0
  private wakeWriter: (() => void) | null = null
  private error: Reply | null = null

  private constructor(private t: WriterThread) {
    super(
      () => Buffer.from(t.free.pop() ?? new ArrayBuffer(BLOCK)),
      (buf) => t.free.push(buf.buffer as ArrayBuffer),
    )
    t.onWritten = (r) => {
      if (r.buf) t.free.push(r.buf)
      if (r.error && !this.error) this.error = r
      this.inFlight--
      const w = this.wakeWriter
      this.wakeWriter = null
      w?.()
    }
  }

  static async open(t: WriterThread, path: string, mode = 0o640): Promise<ArchiveSink> {
    const r = await t.request({ op: 'open', path, mode })
    if (r.error) fail(`opening ${path}`, r)
    return new ArchiveSink(t)
  }

  offload(): boolean {
    return !this.t.local && this.inFlight < IN_FLIGHT / 2
  }

  /** The sha256 of every member hashed by the writer, by index (after `finish`). */
  async memberSums(): Promise<Record<number, string>> {
    const r = await this.t.request({ op: 'sums' })
    if (r.error) fail('writing archive', r)
    return r.sums ?? {}
  }

  protected async send(b: Block): Promise<void> {
    if (this.error) fail('writing archive', this.error)
    while (this.inFlight >= IN_FLIGHT) await new Promise<void>((r) => (this.wakeWriter = r))
    const buf = b.buf.buffer as ArrayBuffer
    this.t.post({ op: 'write', buf, len: b.used, spans: b.remote }, [buf])
    this.inFlight++
  }

  /** Flush, fsync, rename (after `finish`). */
  async commit(): Promise<WriteResult> {
    const r = await this.t.request({ op: 'commit' })
    if (r.error || !r.res) fail('writing archive', r)
    return r.res
  }

  async abort(): Promise<void> {
    await this.t.request({ op: 'abort' })
  }
}
