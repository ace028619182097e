/**
 * Units restored at once (issue 16): worker threads that each restore one unit, build one
 * content zip, or prove the database, at a time (unit-worker.ts), so that the two cores of a
 * small server both unpack, hash and write. The main thread only schedules (units-step.ts),
 * writes the markers and the records. A worker that dies fails its task and is replaced; `close()` ends them all at once (a
 * signal, or the end).
 */
import { Worker } from 'node:worker_threads'
import type { ContentZipType } from '@clara/clara-model/content-zip'
import type { ZipOutcome } from './content-zip.js'
import type { RootInfo } from './old-roots.js'
import type { DbProof } from './proof-step.js'
import type { UnitJob, UnitResult } from './unit-job.js'

/** The database half of the proof (proof-step.ts), run while the units restore. */
export interface ProofJob {
  url: string
  cwd: string
  newRoot: string
  roots: RootInfo[]
}

/** One unit to restore, one rendered dir's content zip to build, or the database proof. */
export type Task = { unit: UnitJob } | { zip: { root: string; type: ContentZipType; id: string; trustFresh: boolean } } | { proof: ProofJob }
/** A proof that failed gives its message (the restore proves again at its end, where a failure counts). */
export type TaskResult = UnitResult | ZipOutcome | DbProof | { failed: string }

/** What a task that could not finish (its thread died) gives back. */
export function lostTask(task: Task, message: string): TaskResult {
  if ('unit' in task) return { error: { kind: 'error', message, code: 'EWORKER' }, json: [], pickles: [], roots: [] }
  return 'zip' in task ? { state: 'failed', message } : { failed: message }
}

interface Job {
  id: number
  task: Task
  resolve: (r: TaskResult) => void
}

interface Lane {
  worker: Worker
  /** the jobs sent to it, oldest first: it runs them one at a time, in that order */
  jobs: Job[]
  dead?: boolean
}

export class UnitPool {
  private lanes: Lane[] = []
  private ids = 0
  private closed = false

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.lanes.push(this.start())
  }

  private start(): Lane {
    // no execArgv: the thread needs none of the parent's loaders (a test runner's would slow its start);
    // a small young generation: with the default, two lanes took the restore's peak RSS past 200 MB
    const lane: Lane = { worker: new Worker(new URL('./unit-worker.js', import.meta.url), { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4 } }), jobs: [] }
    lane.worker.on('message', (m: { id: number; res: TaskResult }) => {
      const j = lane.jobs.shift()
      if (j && j.id === m.id) j.resolve(m.res)
    })
    const died = (why: string) => {
      if (lane.dead) return
      lane.dead = true
      const lost = lane.jobs.splice(0)
      if (this.closed) return
      this.lanes[this.lanes.indexOf(lane)] = this.start()
      for (const j of lost) j.resolve(lostTask(j.task, `its worker thread stopped: ${why}`))
    }
    lane.worker.on('error', (err) => died(err.message))
    lane.worker.on('exit', (code) => died(`exit ${code}`))
    return lane
  }

  /**
   * Run a task on the lane with the fewest queued (the scheduler queues up to two per lane, so that
   * a lane never waits for the main thread between two tasks).
   */
  run(task: Task): Promise<TaskResult> {
    const lane = this.lanes.reduce((a, b) => (b.jobs.length < a.jobs.length ? b : a))
    const id = ++this.ids
    return new Promise((resolve) => {
      lane.jobs.push({ id, task, resolve })
      lane.worker.postMessage({ id, task })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.lanes.map((l) => l.worker.terminate()))
  }
}
