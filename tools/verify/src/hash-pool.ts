/**
 * Whole-file SHA-256 on worker threads, so that a single read pass can hash the file on one core
 * while this thread checks the members of the same bytes. Read slots are SharedArrayBuffers, so a
 * chunk reaches the worker without a copy; a slot is reused once the worker has hashed it.
 */
import { Worker } from 'node:worker_threads'

/** Size of one read slot. */
export const SLOT = 2 << 20

export interface Slot {
  idx: number
  buf: Buffer
}

interface Waiter {
  resolve: (v: string | undefined) => void
  reject: (err: Error) => void
}

class HashWorker {
  readonly w: Worker
  private waiting = new Map<number, Waiter>()
  private failed: Error | null = null
  private seq = 0
  streams = 0

  constructor() {
    this.w = new Worker(new URL('./hash-worker.js', import.meta.url), { execArgv: [] })
    this.w.on('message', (m: { seq: number; hex?: string }) => {
      const wt = this.waiting.get(m.seq)
      this.waiting.delete(m.seq)
      wt?.resolve(m.hex)
    })
    const fail = (err: Error) => {
      this.failed = err
      for (const wt of this.waiting.values()) wt.reject(err)
      this.waiting.clear()
    }
    this.w.on('error', fail)
    this.w.on('exit', (code) => fail(new Error(`hash worker exited (${code})`)))
  }

  call(msg: object): Promise<string | undefined> {
    if (this.failed) return Promise.reject(this.failed)
    const seq = ++this.seq
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject })
      this.w.postMessage({ ...msg, seq })
    })
  }
}

/** One file's hash on its worker. */
export class WorkerHash {
  constructor(private worker: HashWorker, private id: number) {}
  /** Hash the first `len` bytes of `slot`; resolves when the slot may be reused. */
  update(slot: Slot, len: number): Promise<unknown> {
    return this.worker.call({ op: 'update', id: this.id, slot: slot.idx, len })
  }
  async digest(): Promise<string> {
    this.worker.streams--
    return (await this.worker.call({ op: 'digest', id: this.id }))!
  }
  drop(): void {
    this.worker.streams--
    this.worker.w.postMessage({ op: 'drop', id: this.id })
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

  /** A hash on the least busy worker. */
  begin(): WorkerHash {
    const w = this.workers.reduce((a, b) => (b.streams < a.streams ? b : a))
    w.streams++
    return new WorkerHash(w, ++this.ids)
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
