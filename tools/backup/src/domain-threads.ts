/**
 * The worker threads clara-backup runs its domains in (domain-thread.ts). A thread that has run a small domain to
 * its end is kept for the next one: a thread costs ~0.04 s of CPU to start, and each tool it loads ~0.03 s more
 * (Node's internal modules and the tool's bundle are compiled once per thread), which is most of what a small
 * domain costs; so the domains of a small install share as many threads as run at once (--jobs) and load each
 * tool once per thread (the demo-size run: 3 threads instead of 8, 1.44 → 1.09 s of CPU). After a domain that
 * took more than REUSE_MAX_CPU_MS of CPU in its thread, the thread is ended instead: the start-up of a new one is
 * then under a tenth of what the domain cost, and ending it returns what the domain grew (its heap, the code of
 * its tools, its malloc arena): reusing those threads raised the 1× install's peak RSS from ~162 to ~200 MB. CPU
 * time, not wall time, so that a loaded machine does not change the choice; where it cannot be read, no reuse.
 * A thread is not kept either when its domain was stopped, crashed or never said it ended, nor for a domain with
 * another environment (a thread's process.env is fixed when it starts). An idle thread keeps the process alive
 * (its stdio streams hold its port), so close() must end them: after it, a domain's thread ends with its domain.
 */
import { PassThrough } from 'node:stream'
import { Worker } from 'node:worker_threads'
import { EXIT } from '@clara/shared/cli'
import type { Composition } from './pipelines.js'
import type { RunMessage, ThreadMessage } from './domain-thread.js'

/**
 * The young generation of a domain thread (V8's default lets it grow to ~48 MB per thread, and two domains run at
 * once): at the 1× bench install the run's peak RSS falls from ~202 to ~162 MB for ~3% more CPU (more, smaller
 * scavenges; 8 MB gave ~168 MB, 16 MB ~180 MB). The old generation is left unbounded: it holds what the domain
 * lists (it grows with the install), so a cap would not lower the peak of a run that fits under it and would fail
 * one that does not.
 */
const DOMAIN_YOUNG_MB = 12

/** A thread is reused only after a domain that took at most this much CPU in it (see above). */
export const REUSE_MAX_CPU_MS = 1000

/** One domain at work in a thread: its records, its log, its end; `stop` asks its tools to stop, then ends the thread. */
export interface DomainWork {
  stdout: PassThrough
  stderr: PassThrough
  exited: Promise<number>
  stop: (graceMs: number) => void
}

interface Current {
  id: number
  name: string
  stdout: PassThrough
  stderr: PassThrough
  done: (code: number) => void
  /** its exit status, once the thread has said it */
  code?: number
  stopped: boolean
}

class DomainThread {
  readonly worker: Worker
  current: Current | null = null
  /** set once the thread is gone or is not to be reused */
  spent = false
  private gone: Promise<void>

  constructor(readonly env: NodeJS.ProcessEnv, reuseMaxCpuMs: number) {
    this.worker = new Worker(new URL('./domain-thread.js', import.meta.url), { env, execArgv: [], stdout: true, stderr: true, resourceLimits: { maxYoungGenerationSizeMb: DOMAIN_YOUNG_MB } })
    // what code in the thread writes to process.stdout or stderr itself is log, never a record: the current domain's
    const stray = (chunk: Buffer) => this.current?.stderr.write(chunk)
    this.worker.stdout.on('data', stray)
    this.worker.stderr.on('data', stray)
    this.worker.on('message', (m: ThreadMessage) => {
      const c = this.current
      if (!c || m.id !== c.id) return // a late line of a domain already ended
      if (m.t !== 'exit') {
        ;(m.t === 'out' ? c.stdout : c.stderr).write(m.chunk)
        return
      }
      c.code = m.code
      if (!this.spent && m.cpuMs <= reuseMaxCpuMs) return c.done(m.code)
      // a stopped, failed or grown thread: the tools are done, and a handle one of them left open must not keep it
      this.spent = true
      void this.worker.terminate()
    })
    this.worker.on('error', (err) => {
      this.spent = true
      const c = this.current
      if (!c) return
      c.stderr.write(`clara-backup: ${c.name}: the domain's tools failed: ${err?.message ?? err}\n`)
      c.code ??= EXIT.FATAL
    })
    this.gone = new Promise((resolve) => this.worker.once('exit', () => {
      this.spent = true
      const c = this.current
      c?.done(c.code ?? (c.stopped ? EXIT.INTERRUPTED : EXIT.FATAL))
      resolve()
    }))
  }

  async end(): Promise<void> {
    this.spent = true
    await this.worker.terminate()
    await this.gone
  }
}

let ids = 0

export class DomainThreads {
  private idle: DomainThread[] = []
  private closed = false

  constructor(private reuseMaxCpuMs = REUSE_MAX_CPU_MS) {}

  /** Run domain `name`'s composition in an idle thread with this environment, or in a new one. */
  run(name: string, composition: Composition, repo: string, env: NodeJS.ProcessEnv): DomainWork {
    const i = this.idle.findIndex((t) => t.env === env && !t.spent)
    const thread = i >= 0 ? this.idle.splice(i, 1)[0] : new DomainThread(env, this.reuseMaxCpuMs)
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const id = ++ids
    let stopping: NodeJS.Timeout | undefined
    const c: Current = { id, name, stdout, stderr, stopped: false, done: () => {} }
    const exited = new Promise<number>((resolve) => {
      c.done = (code) => {
        clearTimeout(stopping)
        thread.current = null
        stdout.end()
        stderr.end()
        if (thread.spent || this.closed) {
          if (!thread.spent) void thread.end()
        } else {
          this.idle.push(thread)
        }
        resolve(code)
      }
    })
    thread.current = c
    thread.worker.postMessage({ t: 'run', id, repo, cwd: process.cwd(), composition } satisfies RunMessage)
    return {
      stdout, stderr, exited,
      stop: (graceMs) => {
        // a stopped domain's thread is not reused: its tools may not all have wound down
        thread.spent = true
        c.stopped = true
        thread.worker.postMessage({ t: 'abort' })
        // as a tool process would be: given the grace to wind down, then ended
        stopping ??= setTimeout(() => void thread.worker.terminate(), graceMs)
      },
    }
  }

  /**
   * End the idle threads (at the end of the run); a thread still running a domain ends with it (a run that
   * failed may leave a domain of its other lane running), and a domain started after this gets a thread of its own.
   */
  async close(): Promise<void> {
    this.closed = true
    const idle = this.idle
    this.idle = []
    await Promise.all(idle.map((t) => t.end()))
  }
}
