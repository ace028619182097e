/**
 * When the zip pool (pool.ts) adds a worker thread to the units it zips in its own thread: only
 * once the work shows it needs one (issue 16). A worker costs ~0.04 s of CPU and a heap of its own
 * to start, more than a small domain's units cost to zip.
 */
import { cpus } from 'node:os'

/** When the pool adds a worker thread: after a unit has waited `waitMs`, if a core was idle meanwhile. */
export interface Spill {
  waitMs: number
  /** starts watching the CPUs; the function it returns says, `wallMs` later, whether a core was to spare */
  spare: () => (wallMs: number) => boolean
}

const idleMs = (): number => cpus().reduce((n, c) => n + c.times.idle, 0)

/**
 * A worker is ready to take a job ~40–60 ms after it is asked for (zip worker bundle, 2-core
 * EPYC, Node 20): a unit that this thread picks up sooner than that could not have started
 * sooner on a new worker. A core is to spare when the CPUs were idle for at least half of the
 * wait: another domain of clara-backup, or any other work on the machine, keeping every core
 * busy means a worker would only take turns with it.
 */
export const SPILL: Spill = {
  waitMs: 50,
  spare: () => {
    const from = idleMs()
    return (wallMs) => idleMs() - from >= wallMs / 2
  },
}

/** Workers as soon as a unit waits (CLARA_ZIP_SPILL=eager: tests of the worker path). */
export const EAGER: Spill = { waitMs: 0, spare: () => () => true }
