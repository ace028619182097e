/** A worker thread of JobPool: writes the archives it is sent (writeJob), with a writer thread of its own. */
import { parentPort, workerData } from 'node:worker_threads'
import { faultsFromEnv } from '@clara/shared/source-file'
import { WriterThread } from './archive-sink.js'
import { writeJob, type Job } from './archive-job.js'
import { fromWire, toWireError, type PoolContext, type WireMember } from './job-pool.js'

const { ctx, abortFlag } = workerData as { ctx: PoolContext; abortFlag: Int32Array }
const thread = new WriterThread({ local: true })
const fault = faultsFromEnv({ CLARA_FAULT_INJECT: ctx.faultSpec })
/** what writeArchive asks before each member: has the run been interrupted (or has another job failed)? */
const signal = {
  throwIfAborted(): void {
    if (Atomics.load(abortFlag, 0)) throw Object.assign(new Error('interrupted'), { name: 'AbortError' })
  },
} as AbortSignal

let queue: Promise<void> = Promise.resolve()
parentPort!.on('message', (msg: { id: number; job: Omit<Job, 'members'> & { members: WireMember[] } }) => {
  queue = queue.then(async () => {
    try {
      const job: Job = { ...msg.job, members: msg.job.members.map(fromWire) }
      const res = await writeJob(job, { outDir: ctx.outDir, compress: ctx.compress, level: ctx.level, settings: ctx.settings, fault, signal, thread })
      parentPort!.postMessage({ id: msg.id, res })
    } catch (err) {
      parentPort!.postMessage({ id: msg.id, error: toWireError(err) })
    }
  })
})
