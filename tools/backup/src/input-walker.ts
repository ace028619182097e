/**
 * Walking the domains' inputs on two cores: the roots every domain will need are queued at the start
 * of the run for one worker thread, in the order the domains start, while a domain about to start
 * walks whatever of its own roots nobody has taken yet in this thread. Each root is walked once per
 * run, always before the first domain that reads it starts (so a change after the walk shows up in
 * the next run, never as a false "unchanged").
 */
import { Worker } from 'node:worker_threads'
import { combineFingerprints, fingerprintRoot, rootKey, type FingerprintRoot, type InputFingerprint } from '@clara/shared/input-fingerprint'

export class InputWalker {
  private memo = new Map<string, Promise<InputFingerprint>>()
  private queue: FingerprintRoot[] = []
  private worker: Worker | null = null
  private waiting: { resolve: (fp: InputFingerprint) => void; reject: (e: Error) => void } | null = null

  /** Queue roots for the worker (those already walked or queued are skipped). */
  prefetch(roots: FingerprintRoot[]): void {
    for (const r of roots) if (!this.memo.has(rootKey(r)) && !this.queue.some((q) => rootKey(q) === rootKey(r))) this.queue.push(r)
    this.pump()
  }

  /** The combined fingerprint of `roots`: from the worker where it has them, walked here otherwise. */
  async fingerprint(roots: FingerprintRoot[]): Promise<InputFingerprint> {
    const parts = roots.map((r) => {
      let p = this.memo.get(rootKey(r))
      if (!p) {
        this.queue = this.queue.filter((q) => rootKey(q) !== rootKey(r))
        try {
          p = Promise.resolve(fingerprintRoot(r))
        } catch (err) {
          p = Promise.reject(err as Error)
        }
        p.catch(() => {})
        this.memo.set(rootKey(r), p)
      }
      return p
    })
    return combineFingerprints(await Promise.all(parts))
  }

  /** Stop the worker (queued roots nobody needed are dropped). */
  async close(): Promise<void> {
    this.queue = []
    await this.worker?.terminate()
    this.worker = null
  }

  private pump(): void {
    if (this.waiting || !this.queue.length) return
    const root = this.queue.shift()!
    this.worker ??= this.startWorker()
    const p = new Promise<InputFingerprint>((resolve, reject) => (this.waiting = { resolve, reject }))
    p.catch(() => {})
    this.memo.set(rootKey(root), p)
    this.worker.postMessage(root)
  }

  private startWorker(): Worker {
    const w = new Worker(new URL('./walk-worker.js', import.meta.url), { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 8 } })
    w.unref()
    const settle = (fn: (x: { resolve: (fp: InputFingerprint) => void; reject: (e: Error) => void }) => void) => {
      const waiting = this.waiting
      this.waiting = null
      if (waiting) fn(waiting)
      this.pump()
    }
    w.on('message', (m: { ok?: InputFingerprint; error?: string }) => settle((x) => (m.ok ? x.resolve(m.ok) : x.reject(new Error(m.error)))))
    w.on('error', (err) => {
      this.worker = null
      settle((x) => x.reject(err))
    })
    return w
  }
}
