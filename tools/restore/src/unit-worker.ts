/**
 * A worker thread of UnitPool: restores the units (runUnitJob), builds the content zips
 * (contentZipFor) and proves the database (proveDbAt) it is sent, one at a time, in order.
 */
import { parentPort } from 'node:worker_threads'
import { contentZipFor } from './content-zip.js'
import { proveDbAt } from './proof-step.js'
import { runUnitJob } from './unit-job.js'
import type { Task, TaskResult } from './unit-pool.js'

async function run(t: Task): Promise<TaskResult> {
  if ('unit' in t) return runUnitJob(t.unit)
  if ('zip' in t) return contentZipFor(t.zip.root, t.zip.type, t.zip.id, t.zip.trustFresh)
  return proveDbAt(t.proof.url, t.proof.cwd, t.proof.newRoot, t.proof.roots)
}

// strictly one after another, in the order sent (a task may wait for I/O; the next must not start then)
let queue: Promise<void> = Promise.resolve()
parentPort!.on('message', (msg: { id: number; task: Task }) => {
  const t = msg.task
  queue = queue.then(async () => {
    try {
      parentPort!.postMessage({ id: msg.id, res: await run(t) })
    } catch (err) {
      const message = (err as Error).message
      parentPort!.postMessage({ id: msg.id, res: 'proof' in t ? { failed: message } : { state: 'failed', message } })
    }
  })
})
