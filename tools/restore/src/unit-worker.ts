/** A worker thread of UnitPool: restores the units (runUnitJob) and builds the content zips (contentZipFor) it is sent, one at a time. */
import { parentPort } from 'node:worker_threads'
import { contentZipFor } from './content-zip.js'
import { runUnitJob } from './unit-job.js'
import type { Task } from './unit-pool.js'

parentPort!.on('message', (msg: { id: number; task: Task }) => {
  const t = msg.task
  const work = 'unit' in t ? runUnitJob(t.unit) : contentZipFor(t.zip.root, t.zip.type, t.zip.id, t.zip.trustFresh)
  void work.then((res) => parentPort!.postMessage({ id: msg.id, res }), (err) => parentPort!.postMessage({ id: msg.id, res: { state: 'failed', message: (err as Error).message } }))
})
