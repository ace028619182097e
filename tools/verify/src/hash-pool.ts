/**
 * SHA-256 on worker threads, so that a single read pass can hash the file (and member contents)
 * on other cores while this thread parses and checks the same bytes. Read slots are
 * SharedArrayBuffers, so a chunk reaches a worker without a copy; work names spans of a slot, and
 * a slot is reused once every worker given spans of it has replied.
 */
import { createHash, type Hash } from 'node:crypto'
import { Worker } from 'node:worker_threads'

/** Size of one read slot. */
export const SLOT = 2 << 20

export interface Slot {
  idx: number
  buf: Buffer
}

interface Waiter {
  resolve: (digests: (number | string)[]) => void
  reject: (err: Error) => void
}

class HashWorker {
  readonly w: Worker
  private waiting = new Map<number, Waiter>()
  private failed: Error | null = null
  private seq = 0
  /** read passes using it for their file hash */
  streams = 0

  constructor() {
    this.w = new Worker(new URL('./hash-worker.js', import.meta.url), { execArgv: [] })
    this.w.on('message', (m: { seq: number; digests: (number | string)[] }) => {
      const wt = this.waiting.get(m.seq)
      this.waiting.delete(m.seq)
      wt?.resolve(m.digests)
    })
    const fail = (err: Error) => {
      this.failed ??= err
      for (const wt of this.waiting.values()) wt.reject(err)
      this.waiting.clear()
    }
    this.w.on('error', fail)
    this.w.on('exit', (code) => fail(new Error(`hash worker exited (${code})`)))
  }

  work(slot: Slot | null, spans: number[], close: number[]): Promise<(number | string)[]> {
    if (this.failed) return Promise.reject(this.failed)
    const seq = ++this.seq
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject })
      this.w.postMessage({ op: 'work', seq, slot: slot ? slot.idx : -1, spans, close })
    })
  }
}

/**
 * Hashes of pieces of the chunks a read pass hands out (member contents). `update` names bytes
 * `start..end` of the chunk being checked; `done` gets the digest once the hash is closed.
 */
export interface PieceHasher {
  open(done: (hex: string) => void): number
  update(id: number, chunk: Buffer, start: number, end: number): void
  close(id: number): void
}

/** Hashes pieces here and now. */
export class InlineHasher implements PieceHasher {
  private hashes = new Map<number, { h: Hash; done: (hex: string) => void }>()
  private ids = 0
  open(done: (hex: string) => void): number {
    this.hashes.set(++this.ids, { h: createHash('sha256'), done })
    return this.ids
  }
  update(id: number, chunk: Buffer, start: number, end: number): void {
    this.hashes.get(id)!.h.update(chunk.subarray(start, end))
  }
  close(id: number): void {
    const x = this.hashes.get(id)!
    this.hashes.delete(id)
    x.done(x.h.digest('hex'))
  }
}

/** Queues pieces as spans of the current read slot; the read pass sends them to a worker with the slot. */
export class SpanHasher implements PieceHasher {
  private spans: number[] = []
  private closing: number[] = []
  private dones = new Map<number, (hex: string) => void>()

  constructor(private pool: HashPool, private worker: number) {}

  open(done: (hex: string) => void): number {
    const id = this.pool.newId()
    this.dones.set(id, done)
    return id
  }
  update(id: number, _chunk: Buffer, start: number, end: number): void {
    if (end > start) this.spans.push(id, start, end - start)
  }
  close(id: number): void {
    this.closing.push(id)
  }
  /** Send what was queued for `slot` (null: closes only); resolves when the worker is done with it. */
  flush(slot: Slot | null): Promise<unknown> | null {
    if (!this.closing.length && !(slot && this.spans.length)) return null
    const spans = slot ? this.spans : []
    const close = this.closing
    this.spans = []
    this.closing = []
    return this.pool.work(this.worker, slot, spans, close).then((d) => {
      for (let i = 0; i < d.length; i += 2) {
        const id = d[i] as number
        this.dones.get(id)?.(d[i + 1] as string)
        this.dones.delete(id)
      }
    })
  }
  /** Forget hashes left open (a failed pass). */
  drop(): void {
    if (this.dones.size) this.pool.drop(this.worker, [...this.dones.keys()])
    this.dones.clear()
  }
}

export class HashPool {
  private workers: HashWorker[] = []
  private free: Slot[] = []
  private sabs: SharedArrayBuffer[] = []
  private ids = 0

  /** `threads` worker threads (started at once). */
  constructor(threads: number) {
    for (let i = 0; i < Math.max(1, threads); i++) this.workers.push(new HashWorker())
  }

  newId(): number {
    return ++this.ids
  }

  /** Workers for a new read pass: the least busy one for the file hash, another (when there is one) for member hashes. */
  pick(): { file: number; members: number } {
    let file = 0
    for (let i = 1; i < this.workers.length; i++) if (this.workers[i].streams < this.workers[file].streams) file = i
    this.workers[file].streams++
    return { file, members: (file + 1) % this.workers.length }
  }

  unpick(file: number): void {
    this.workers[file].streams--
  }

  work(worker: number, slot: Slot | null, spans: number[], close: number[]): Promise<(number | string)[]> {
    return this.workers[worker].work(slot, spans, close)
  }

  drop(worker: number, ids: number[]): void {
    this.workers[worker].w.postMessage({ op: 'drop', ids })
  }

  /** `n` read slots (new ones are made, and shown to every worker, when none are free). */
  take(n: number): Slot[] {
    const out: Slot[] = []
    while (out.length < n) {
      let s = this.free.pop()
      if (!s) {
        const sab = new SharedArrayBuffer(SLOT)
        s = { idx: this.sabs.length, buf: Buffer.from(sab) }
        this.sabs.push(sab)
        for (const w of this.workers) w.w.postMessage({ op: 'slot', idx: s.idx, sab })
      }
      out.push(s)
    }
    return out
  }

  give(slots: Slot[]): void {
    this.free.push(...slots)
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.w.terminate()))
    this.workers = []
  }
}
