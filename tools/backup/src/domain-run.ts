/**
 * Run one domain: its tools composed in a worker thread of ours (domain-thread.ts, the default), or its
 * script as a child process (CLARA_BACKUP_COMPOSE=scripts); either way forward its records, relay its log,
 * pass an interruption on.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { PassThrough, type Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import { EXIT, SIGNAL_GRACE_MS } from '@clara/shared/cli'
import { readLines, readRecords } from '@clara/shared/ndjson'
import type { ClaraRecord } from '@clara/shared/records'
import type { Progress } from '@clara/shared/log'
import type { Domain } from './domains.js'
import { processTree, signalAll } from './proc-tree.js'
import type { RecordSink } from './plan-tally.js'
import { composition } from './pipelines.js'
import type { ThreadData, ThreadMessage } from './domain-thread.js'

export interface DomainResult {
  exit_code: number
  /** the child's stdout stream was complete (ended with its end record) */
  stream_ok: boolean
  message?: string
  records: number
  /** the error records of the domain it printed */
  errors: ClaraRecord[]
  /** stopped because `signal` fired */
  interrupted: boolean
  /** the child's last log lines (not progress), to say why a domain did not complete */
  lastLines: string[]
}

const LAST_LINES = 20
/** A longer log line of a tool is cut (a tool gone wrong must not fill our memory through stderr). */
const LOG_LINE_BYTES = 64 * 1024

export interface DomainIo {
  env: NodeJS.ProcessEnv
  out: RecordSink
  /** a log line of the child, as it came (text or JSON) */
  onLine: (line: string) => void
  /** a progress update the child wrote as a JSON line (CLARA_LOG=progress-json) */
  onProgress: (p: Progress & { name?: string }) => void
  signal: AbortSignal
}

/** A child's progress line, or null for any other line. */
export function progressOf(line: string): (Progress & { name?: string }) | null {
  if (!line.startsWith('{')) return null
  try {
    const j = JSON.parse(line)
    return j && j.msg === 'progress' && typeof j.items === 'number' && typeof j.bytes === 'number' ? j : null
  } catch {
    return null
  }
}

/** A domain's tools at work: their records, their log, their end; `stop` asks them to stop. */
interface Launched {
  stdout: Readable
  stderr: Readable
  exited: Promise<number>
  stop: () => void
}

/** How clara-backup runs a domain: in a thread of its own (default) or by its script (CLARA_BACKUP_COMPOSE=scripts). */
export const composeMode = (env: NodeJS.ProcessEnv): 'thread' | 'scripts' => (env.CLARA_BACKUP_COMPOSE === 'scripts' ? 'scripts' : 'thread')

/** `bash scripts/<domain.script>` as a child process. */
function launchScript(repo: string, d: Domain, env: NodeJS.ProcessEnv): Launched {
  const child = spawn('bash', [path.join(repo, 'scripts', d.script)], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    exited: new Promise<number>((resolve) => child.on('close', (code, sig) => resolve(code ?? 128 + signalNumber(sig)))),
    stop: () => {
      if (!child.pid) return
      // the tree as it is now: once bash is gone, its tools are no longer found below it
      const tree = processTree(child.pid)
      signalAll(tree, 'SIGTERM')
      // a tool that does not wind down in time is ended, so that clara-backup itself ends within its own grace
      const hard = setTimeout(() => signalAll(tree, 'SIGKILL'), DOMAIN_GRACE_MS)
      child.on('close', () => clearTimeout(hard))
    },
  }
}

/**
 * How long an interrupted domain may take to wind down before its tools are ended: half of the grace
 * clara-backup itself is given (shared/src/cli.ts), which it needs to say so, release the lock and exit 130.
 */
const DOMAIN_GRACE_MS = SIGNAL_GRACE_MS / 2

/**
 * The young generation of a domain thread (V8's default lets it grow to ~48 MB per thread, and two domains run at
 * once): at the 1× bench install the run's peak RSS falls from ~202 to ~162 MB for ~3% more CPU (more, smaller
 * scavenges; 8 MB gave ~168 MB, 16 MB ~180 MB). The old generation is left unbounded: it holds what the domain
 * lists (it grows with the install), so a cap would not lower the peak of a run that fits under it and would fail
 * one that does not.
 */
const DOMAIN_YOUNG_MB = 12

/** The domain's composition (pipelines.ts) in a worker thread (domain-thread.ts), whose process.env is the domain's. */
function launchThread(repo: string, d: Domain, env: NodeJS.ProcessEnv): Launched {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const workerData: ThreadData = { repo, cwd: process.cwd(), composition: composition(d, env) }
  const worker = new Worker(new URL('./domain-thread.js', import.meta.url), { workerData, env, execArgv: [], stdout: true, stderr: true, resourceLimits: { maxYoungGenerationSizeMb: DOMAIN_YOUNG_MB } })
  // what code in the thread writes to process.stdout or stderr itself is log, never a record
  worker.stdout.pipe(stderr, { end: false })
  worker.stderr.pipe(stderr, { end: false })
  let stopping: NodeJS.Timeout | undefined
  const exited = new Promise<number>((resolve) => {
    let code: number | undefined
    worker.on('message', (m: ThreadMessage) => {
      if (m.t !== 'exit') {
        ;(m.t === 'out' ? stdout : stderr).write(m.chunk)
        return
      }
      code = m.code
      // the tools are done; a handle one of them left open must not keep the thread
      void worker.terminate()
    })
    worker.on('error', (err) => {
      stderr.write(`clara-backup: ${d.name}: the domain's tools failed: ${err?.message ?? err}\n`)
      code ??= EXIT.FATAL
    })
    worker.on('exit', () => {
      clearTimeout(stopping)
      stdout.end()
      stderr.end()
      resolve(code ?? (stopping ? EXIT.INTERRUPTED : EXIT.FATAL))
    })
  })
  return {
    stdout,
    stderr,
    exited,
    stop: () => {
      worker.postMessage({ t: 'abort' })
      // as a tool process would be: given the grace to wind down, then ended
      stopping ??= setTimeout(() => void worker.terminate(), DOMAIN_GRACE_MS)
    },
  }
}

/** Run domain `d` of the toolkit in `repo`; every record it prints is re-emitted through `io.out`. */
export async function runDomain(repo: string, d: Domain, io: DomainIo): Promise<DomainResult> {
  const child = composeMode(io.env) === 'scripts' ? launchScript(repo, d, io.env) : launchThread(repo, d, io.env)
  const lastLines: string[] = []
  const relayed = (async () => {
    for await (const line of readLines(child.stderr, { truncate: true, maxBytes: LOG_LINE_BYTES })) {
      const p = progressOf(line)
      if (p) {
        io.onProgress(p)
        continue
      }
      io.onLine(line)
      if (lastLines.push(line) > LAST_LINES) lastLines.shift()
    }
  })().catch(() => child.stderr.resume())
  const exited = child.exited
  let interrupted = false
  const stop = () => {
    interrupted = true
    child.stop()
  }
  io.signal.addEventListener('abort', stop, { once: true })
  if (io.signal.aborted) stop()
  let records = 0
  const errors: ClaraRecord[] = []
  let streamOk = true
  let message: string | undefined
  try {
    for await (const rec of readRecords(child.stdout, { source: `${d.script} stdout` })) {
      records++
      const tagged = { ...rec, domain: (rec as { domain?: string }).domain ?? d.dir }
      if (tagged.type === 'error' && tagged.domain === d.dir) errors.push(tagged)
      await io.out.write(tagged)
    }
  } catch (err) {
    streamOk = false
    message = (err as Error).message
    child.stdout.resume()
  }
  const code = await exited
  await relayed
  io.signal.removeEventListener('abort', stop)
  return { exit_code: code, stream_ok: streamOk, message, records, errors, interrupted, lastLines }
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 9
}
