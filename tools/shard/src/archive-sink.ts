/**
 * The output side of an archive: bytes are copied into 1 MiB blocks and handed (transferred, not
 * copied again) to a writer thread that hashes and writes them atomically, and hashes the member
 * content spans marked in each block. Blocks come back for
 * reuse; at most a few are in flight, so memory stays bounded however fast the reader is.
 */
import { Worker } from 'node:worker_threads'
import type { WriteResult } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import type { Tag } from './member-hashing.js'

const BLOCK = 1 << 20
const IN_FLIGHT = 4

type Reply = { op: 'written' | 'done'; buf?: ArrayBuffer; res?: WriteResult; members?: Record<number, string>; error?: string; code?: string }

/** Member data inside a block: [member index, offset, length, 1 if it ends the member]. */
export type Span = [number, number, number, number]

function fail(what: string, r: Reply): never {
  throw new ClaraError(`${what}: ${r.error}`, EXIT.FATAL, r.code ?? 'EIO')
}

/** One writer thread, reused for every archive of a run; `close()` ends it. */
export class WriterThread {
  // no execArgv: the thread needs none of the parent's loaders (a test runner's would slow its start by seconds)
  private worker = new Worker(new URL('./write-worker.js', import.meta.url), { execArgv: [] })
  private waiters: ((r: Reply) => void)[] = []
  onWritten: ((r: Reply) => void) | null = null
  /** 1 MiB blocks back from the thread, for the next writes (of any archive) */
  free: ArrayBuffer[] = []

  constructor() {
    this.worker.unref()
    this.worker.on('message', (r: Reply) => (r.op === 'written' ? this.onWritten?.(r) : this.waiters.shift()?.(r)))
    this.worker.on('error', (err) => {
      for (const w of this.waiters.splice(0)) w({ op: 'done', error: err.message })
    })
  }

  /** Send a control message (open, commit, abort) and wait for its answer. */
  request(msg: object): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiters.push(resolve)
      this.worker.postMessage(msg)
    })
  }

  post(msg: object, transfer: ArrayBuffer[]): void {
    this.worker.postMessage(msg, transfer)
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}

export class ArchiveSink {
  private cur: Buffer
  private used = 0
  private spans: Span[] = []
  private inFlight = 0
  private wake: (() => void) | null = null
  private error: Reply | null = null

  private constructor(private t: WriterThread) {
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

  /** Append bytes; a `tag` says they are (part of) a member's content, for the writer to hash. */
  async write(chunk: Uint8Array, tag?: Tag): Promise<void> {
    let off = 0
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, BLOCK - this.used)
      this.cur.set(chunk.subarray(off, off + n), this.used)
      if (tag) this.spans.push([tag.idx, this.used, n, tag.last && off + n === chunk.length ? 1 : 0])
      this.used += n
      off += n
      if (this.used === BLOCK) await this.send()
    }
  }

  private async send(): Promise<void> {
    if (this.error) fail('writing archive', this.error)
    while (this.inFlight >= IN_FLIGHT) await new Promise<void>((r) => (this.wake = r))
    this.wake = null
    const buf = this.cur.buffer as ArrayBuffer
    this.t.post({ op: 'write', buf, len: this.used, spans: this.spans }, [buf])
    this.inFlight++
    this.cur = this.block()
    this.used = 0
    this.spans = []
  }

  /** Flush, fsync, rename; also returns the sha256 of each tagged member (by index). */
  async commit(): Promise<WriteResult & { members: Record<number, string> }> {
    if (this.used) await this.send()
    const r = await this.t.request({ op: 'commit' })
    if (r.error || !r.res) fail('writing archive', r)
    return { ...r.res, members: r.members ?? {} }
  }

  async abort(): Promise<void> {
    await this.t.request({ op: 'abort' })
  }
}
