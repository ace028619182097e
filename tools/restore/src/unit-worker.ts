/** A worker thread of UnitPool: restores the units (runUnitJob) and builds the content zips (contentZipFor) it is sent, one at a time, in order. */
import { parentPort } from 'node:worker_threads'
import { contentZipFor } from './content-zip.js'
import { runUnitJob } from './unit-job.js'
import type { Task } from './unit-pool.js'

// strictly one after another, in the order sent (a task may wait for I/O; the next must not start then)
let queue: Promise<void> = Promise.resolve()
parentPort!.on('message', (msg: { id: number; task: Task }) => {
  const t = msg.task
  queue = queue.then(async () => {
    try {
      parentPort!.postMessage({ id: msg.id, res: await ('unit' in t ? runUnitJob(t.unit) : contentZipFor(t.zip.root, t.zip.type, t.zip.id, t.zip.trustFresh)) })
    } catch (err) {
      parentPort!.postMessage({ id: msg.id, res: { state: 'failed', message: (err as Error).message } })
    }
  })
})
