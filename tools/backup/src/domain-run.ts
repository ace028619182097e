/** Run one domain's script as a child process: forward its records, relay its log, pass signals on. */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { readLines, readRecords } from '@clara/shared/ndjson'
import type { ClaraRecord } from '@clara/shared/records'
import type { Progress } from '@clara/shared/log'
import type { Domain } from './domains.js'
import { killTree } from './proc-tree.js'
import type { RecordSink } from './plan-tally.js'

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

/** Spawn `bash scripts/<domain.script>`; every record it prints is re-emitted through `io.out`. */
export async function runDomain(scriptsDir: string, d: Domain, io: DomainIo): Promise<DomainResult> {
  const child = spawn('bash', [path.join(scriptsDir, d.script)], { env: io.env, stdio: ['ignore', 'pipe', 'pipe'] })
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
  const exited = new Promise<number>((resolve) => child.on('close', (code, sig) => resolve(code ?? 128 + signalNumber(sig))))
  let interrupted = false
  const stop = () => {
    interrupted = true
    if (child.pid) killTree(child.pid, 'SIGTERM')
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
