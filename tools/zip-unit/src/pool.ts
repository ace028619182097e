/**
 * Run unit jobs on N worker threads (or in-process for N = 1). Each worker takes up to
 * PER_WORKER jobs at once, so one unit's compression overlaps another's fsync and writes. The
 * caller awaits the promises in input order, so the output order follows the input.
 *
 * With --link-dest, each unit is first tried in this thread by its stats alone (quickLink): an
 * unchanged unit is linked without a worker, and the workers start only when a unit needs
 * building, so a no-change rerun never pays their start-up (~0.1–0.2 s of CPU each).
 */
import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import type { UnitRecord } from '@clara/shared/records'
import type { ZipOptions } from './options.js'
import { quickLink, zipUnit, type UnitResult } from './zip-unit.js'

/** Jobs in flight per worker (and in-process): 2 lets compute overlap I/O waits. */
export const PER_WORKER = 2

// A small young generation per worker: GC runs more often and peak RSS falls by ~50 MB at
// 2 workers for no measurable CPU cost (bench/zips.sh, 200 projects: 193 → 144 MB).
const YOUNG_MB = 12

interface Job {
  id: number
  rec: UnitRecord
  quickTried: boolean
  resolve: (r: UnitResult) => void
  reject: (e: Error) => void
}

interface Slot {
  /** null: run in this thread */
  worker: Worker | null
  jobs: Map<number, Job>
}

const keyOf = (rec: UnitRecord) => `${rec.domain}/${rec.unit}`

/**
 * The worker's entry: its own bundle when this code runs from the tool's bundle (scripts/bundle.mjs
 * builds both in one go, from package.json `bundleWorkers`), so a worker loads one file instead of
 * its ~40 modules (~25 ms of CPU each); else the module.
 */
export function workerEntry(here: string = import.meta.url): URL {
  const bundle = new URL('./worker.bundle.mjs', here)
  return here.endsWith('.bundle.mjs') && existsSync(bundle) ? bundle : new URL('./worker.js', here)
}

export class UnitPool {
  private slots: Slot[] = []
  private queue: Job[] = []
  private nextId = 0
  /** units in flight: the same unit twice in the input is done one after the other */
  private running = new Set<string>()
  /** per unit, the settling of its latest job (quick tries wait for the one before) */
  private tails = new Map<string, Promise<void>>()
  private started = false
  private closed = false
  /** work running in this thread (stat-only tries, in-process jobs): close() lets it finish */
  private here = new Set<Promise<unknown>>()

  constructor(private size: number, private opts: ZipOptions) {
    if (!opts.linkDest) this.start()
  }

  private start(): void {
    if (this.started) return
    this.started = true
    if (this.size <= 1) {
      this.slots.push({ worker: null, jobs: new Map() })
      return
    }
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(workerEntry(), { workerData: this.opts, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } })
      const slot: Slot = { worker, jobs: new Map() }
      worker.on('message', (m: { id: number; result: UnitResult }) => this.done(slot, m.id, m.result))
      worker.on('error', (err) => this.fail(slot, err))
      worker.on('exit', (code) => this.fail(slot, new Error(`zip worker exited with code ${code}`)))
      this.slots.push(slot)
    }
  }

  /** Zip one unit; resolves with its records. */
  run(rec: UnitRecord): Promise<UnitResult> {
    if (!this.opts.linkDest) return this.enqueue(rec, false)
    const key = keyOf(rec)
    const before = this.tails.get(key) ?? Promise.resolve()
    const p = before.then(async () => (await this.inThread(quickLink(rec, this.opts))) ?? this.enqueue(rec, true))
    const settled = p.then(() => {}, () => {})
    this.tails.set(key, settled)
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key)
    })
    return p
  }

  private inThread<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(() => {}, () => {})
    this.here.add(settled)
    void settled.then(() => this.here.delete(settled))
    return p
  }

  private enqueue(rec: UnitRecord, quickTried: boolean): Promise<UnitResult> {
    if (this.closed) return Promise.reject(new Error('zip pool closed'))
    this.start()
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, rec, quickTried, resolve, reject })
      this.dispatch()
    })
  }

  private dispatch(): void {
    for (;;) {
      const slot = this.slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a))
      const i = this.queue.findIndex((j) => !this.running.has(keyOf(j.rec)))
      if (slot.jobs.size >= PER_WORKER || i < 0) return
      const [job] = this.queue.splice(i, 1)
      slot.jobs.set(job.id, job)
      this.running.add(keyOf(job.rec))
      if (slot.worker) slot.worker.postMessage({ id: job.id, rec: job.rec, quickTried: job.quickTried })
      else this.inThread(zipUnit(job.rec, this.opts, job.quickTried)).then((r) => this.done(slot, job.id, r), (err) => this.fail(slot, err))
    }
  }

  private done(slot: Slot, id: number, r: UnitResult): void {
    const job = slot.jobs.get(id)
    slot.jobs.delete(id)
    if (job) this.running.delete(keyOf(job.rec))
    job?.resolve(r)
    this.dispatch()
  }

  private fail(slot: Slot, err: Error): void {
    for (const job of slot.jobs.values()) job.reject(err)
    slot.jobs.clear()
  }

  /**
   * Stop the workers (after the last result, or on abort). Work in this thread cannot be stopped:
   * it is awaited, so nothing still writes once the caller has returned.
   */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.map((s) => s.worker?.terminate()))
    while (this.here.size) await Promise.all([...this.here])
  }
}
