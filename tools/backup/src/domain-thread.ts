/**
 * A worker thread that runs domains' compositions (compose.ts), one after the other: clara-backup keeps one per
 * domain it runs at once (domain-threads.ts), instead of bash and a Node process per tool. A thread of its own
 * keeps what a process gave: two domains run on two cores, each tool sees only the domains' environment (the
 * thread's process.env is it), and a tool that crashes takes down its domain, not the run. Each `run` message
 * is one domain: to the parent it posts that domain's records and log lines as bytes, then its exit status and
 * the CPU time it took here, all tagged with the run's id; an `abort` message aborts the tools' signal.
 */
import { parentPort } from 'node:worker_threads'
import { Writable } from 'node:stream'
import { runComposition } from './compose.js'
import { threadCpuMs } from './thread-cpu.js'
import type { Composition } from './pipelines.js'

export interface RunMessage {
  t: 'run'
  id: number
  repo: string
  cwd: string
  composition: Composition
}

/** `cpuMs`: the CPU time this thread spent on the domain (NaN where it cannot be read) */
export type ThreadMessage = { t: 'out' | 'err'; id: number; chunk: Uint8Array } | { t: 'exit'; id: number; code: number; cpuMs: number }

const port = parentPort!
let ac = new AbortController()

const relay = (t: 'out' | 'err', id: number) =>
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      port.postMessage({ t, id, chunk } satisfies ThreadMessage)
      cb()
    },
  })

port.on('message', (m: RunMessage | { t: 'abort' }) => {
  if (m.t === 'abort') {
    ac.abort()
    return
  }
  ac = new AbortController()
  const cpu0 = threadCpuMs()
  const io = { repo: m.repo, env: process.env, cwd: m.cwd, signal: ac.signal, stdout: relay('out', m.id), stderr: relay('err', m.id) }
  void runComposition(m.composition, io).then((code) => port.postMessage({ t: 'exit', id: m.id, code, cpuMs: threadCpuMs() - cpu0 } satisfies ThreadMessage))
})
