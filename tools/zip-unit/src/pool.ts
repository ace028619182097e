/**
 * Run unit jobs on N lanes: this thread and up to N - 1 worker threads. Each lane takes up to
 * PER_WORKER jobs at once, so one unit's compression overlaps another's fsync and writes. The
 * caller awaits the promises in input order, so the output order follows the input.
 *
 * Units are zipped in this thread first, and a worker starts only when the work shows it is
 * needed (Spill): a unit has waited as long as a worker takes to start, and a core was idle
 * meanwhile. A worker costs ~0.04 s of CPU and a heap of its own to start, more than a
 * small domain's units cost to zip, and inside clara-backup two domains already keep both cores
 * busy; so a small or a single unit never starts one, and a long list on an idle core still gets
 * every lane.
 *
 * With --link-dest, each unit is first tried by its stats alone (quickLink): an unchanged unit is
 * linked without being queued at all, so a no-change rerun never starts a worker.
 */
import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import type { UnitRecord } from '@clara/shared/records'
import type { ZipOptions } from './options.js'
import { SPILL, type Spill } from './spill.js'
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
  private closed = false
  /** work running in this thread (stat-only tries, in-process jobs): close() lets it finish */
  private here = new Set<Promise<unknown>>()
  /** armed while a unit waits and another worker may start */
  private spillTimer: NodeJS.Timeout | undefined

  /** `size`: lanes, this thread included */
  constructor(private size: number, private opts: ZipOptions, private spill: Spill = SPILL) {
    this.slots.push({ worker: null, jobs: new Map() })
  }

  /** Worker threads started so far. */
  get workers(): number {
    return this.slots.length - 1
  }

  private addWorker(): void {
    const worker = new Worker(workerEntry(), { workerData: this.opts, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } })
    const slot: Slot = { worker, jobs: new Map() }
    worker.on('message', (m: { id: number; result: UnitResult }) => this.done(slot, m.id, m.result))
    worker.on('error', (err) => this.fail(slot, err))
    worker.on('exit', (code) => this.fail(slot, new Error(`zip worker exited with code ${code}`)))
    // a free worker is chosen before this thread, which also reads and writes the records
    this.slots.unshift(slot)
  }

  /** A unit waits: once it has waited `spill.waitMs` with a core to spare, one more worker (then, if units still wait, again). */
  private armSpill(): void {
    if (this.spillTimer || this.closed || this.workers >= this.size - 1) return
    const t0 = performance.now()
    const spare = this.spill.spare()
    this.spillTimer = setTimeout(() => {
      this.spillTimer = undefined
      if (this.closed || !this.waiting()) return
      if (spare(performance.now() - t0)) this.addWorker()
      // a unit still waiting arms the next check
      this.dispatch()
    }, this.spill.waitMs)
  }

  /** A queued job that could start now if a lane were free. */
  private waiting(): boolean {
    return this.queue.some((j) => !this.running.has(keyOf(j.rec)))
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
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, rec, quickTried, resolve, reject })
      this.dispatch()
    })
  }

  private dispatch(): void {
    for (;;) {
      const slot = this.slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a))
      const i = this.queue.findIndex((j) => !this.running.has(keyOf(j.rec)))
      if (i < 0) return
      if (slot.jobs.size >= PER_WORKER) return this.armSpill()
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
    clearTimeout(this.spillTimer)
    await Promise.all(this.slots.map((s) => s.worker?.terminate()))
    while (this.here.size) await Promise.all([...this.here])
  }
}
