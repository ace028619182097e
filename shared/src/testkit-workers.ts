/**
 * Tests: every worker thread this process starts, observed directly. node:worker_threads' Worker is
 * replaced by a subclass that notes the entry it was started from; syncBuiltinESMExports updates the
 * binding of every module that imported it, so the code under test constructs the subclass too.
 */
import { syncBuiltinESMExports } from 'node:module'
import wt from 'node:worker_threads'

const started: string[] = []
let installed = false

/** The entries (file paths or URLs, as given) of the Workers constructed so far; grows as more start. */
export function workersStarted(): readonly string[] {
  if (!installed) {
    installed = true
    const RealWorker = wt.Worker
    wt.Worker = class extends RealWorker {
      constructor(file: string | URL, opts?: wt.WorkerOptions) {
        started.push(String(file))
        super(file, opts)
      }
    } as typeof wt.Worker
    syncBuiltinESMExports()
  }
  return started
}

/** The file names (no folder) of the Workers constructed since the first `from`. */
export function workerNamesSince(from: number): string[] {
  return workersStarted().slice(from).map((f) => f.slice(f.lastIndexOf('/') + 1))
}
