/**
 * A worker thread that runs one domain's composition (compose.ts): clara-backup starts one per domain it
 * runs, instead of bash and a Node process per tool. A thread of its own keeps what a process gave: two
 * domains run on two cores, each tool sees only the domain's environment (the thread's process.env is it),
 * and a tool that crashes takes down its domain, not the run. To the parent it posts the records and the
 * log lines as bytes, then the exit status; an `abort` message aborts the tools' signal.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Writable } from 'node:stream'
import { runComposition } from './compose.js'
import type { Composition } from './pipelines.js'

export interface ThreadData {
  repo: string
  cwd: string
  composition: Composition
}

export type ThreadMessage = { t: 'out' | 'err'; chunk: Uint8Array } | { t: 'exit'; code: number }

const port = parentPort!
const data = workerData as ThreadData
const ac = new AbortController()
port.on('message', (m: { t: string }) => {
  if (m.t === 'abort') ac.abort()
})

const relay = (t: 'out' | 'err') =>
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      port.postMessage({ t, chunk } satisfies ThreadMessage)
      cb()
    },
  })

const code = await runComposition(data.composition, { repo: data.repo, env: process.env, cwd: data.cwd, signal: ac.signal, stdout: relay('out'), stderr: relay('err') })
port.postMessage({ t: 'exit', code } satisfies ThreadMessage)
port.close()
