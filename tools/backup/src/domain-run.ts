/**
 * Run one domain: its tools composed in a worker thread of ours (domain-threads.ts, the default), or its
 * script as a child process (CLARA_BACKUP_COMPOSE=scripts); either way forward its records, relay its log,
 * pass an interruption on.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { SIGNAL_GRACE_MS } from '@clara/shared/cli'
import { readLines, readRecords } from '@clara/shared/ndjson'
import type { ClaraRecord } from '@clara/shared/records'
import type { Progress } from '@clara/shared/log'
import type { Domain } from './domains.js'
import { processTree, signalAll } from './proc-tree.js'
import type { RecordSink } from './plan-tally.js'
import { composition } from './pipelines.js'
import { DomainThreads } from './domain-threads.js'

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
  /** the run's domain threads, shared by its domains (default: a thread of the domain's own) */
  threads?: DomainThreads
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

/** The domain's composition (pipelines.ts) in a domain thread (domain-threads.ts), whose process.env is the domain's. */
function launchThread(repo: string, d: Domain, env: NodeJS.ProcessEnv, shared: DomainThreads | undefined): Launched {
  const threads = shared ?? new DomainThreads()
  const work = threads.run(d.name, composition(d, env), repo, env)
  // a thread of its own (no pool given) ends with its domain
  const exited = shared ? work.exited : work.exited.then(async (code) => (await threads.close(), code))
  return { stdout: work.stdout, stderr: work.stderr, exited, stop: () => work.stop(DOMAIN_GRACE_MS) }
}

/** Run domain `d` of the toolkit in `repo`; every record it prints is re-emitted through `io.out`. */
export async function runDomain(repo: string, d: Domain, io: DomainIo): Promise<DomainResult> {
  const child = composeMode(io.env) === 'scripts' ? launchScript(repo, d, io.env) : launchThread(repo, d, io.env, io.threads)
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
