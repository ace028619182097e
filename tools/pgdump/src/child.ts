/** Spawn a real dump tool (pg_dump, pg_restore, mysqldump): stdout into an atomic file or a buffer, stderr scrubbed. */
import { spawn } from 'node:child_process'
import path from 'node:path'
import type { AtomicFile } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { scrub } from '@clara/shared/db'

export interface ChildOptions {
  env: NodeJS.ProcessEnv
  signal?: AbortSignal
  /** strings to blank out of anything we keep from the child (passwords) */
  secrets: (string | undefined)[]
}

export interface ChildExit {
  /** exit status, or null when killed by a signal */
  code: number | null
  signal: NodeJS.Signals | null
  /** the child's stderr, passwords scrubbed */
  stderr: string
  /** stdout when not streamed into a file */
  stdout: string
  /** the last bytes of stdout (kept when streaming into a file, for format checks) */
  tail: Buffer
  bytes: number
}

const KEEP = 64 * 1024
const TAIL = 4096

/** Resolve a tool name against `--bin-dir` (or PATH when none). */
export function toolPath(binDir: string | undefined, name: string): string {
  return binDir ? path.join(binDir, name) : name
}

/** Run `cmd args`; stdout goes to `into` when given. Never rejects on a non-zero exit, only on spawn failure. */
export async function runChild(cmd: string, args: string[], opts: ChildOptions, into?: AtomicFile): Promise<ChildExit> {
  const child = spawn(cmd, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new ClaraError(`${path.basename(cmd)} not found (${cmd}): install it or pass --bin-dir`, EXIT.FATAL, 'ENOENT'))
      else reject(err)
    })
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  exited.catch(() => {}) // awaited below; a spawn failure must not count as unhandled meanwhile
  let err = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (s: string) => {
    if (err.length < KEEP) err += s
  })
  const out: Buffer[] = []
  let tail = Buffer.alloc(0)
  let bytes = 0
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      bytes += chunk.length
      if (into) await into.write(chunk)
      else out.push(chunk)
      tail = Buffer.concat([tail, chunk]).subarray(-TAIL)
    }
  } catch (e) {
    child.kill('SIGTERM')
    await exited.catch(() => {})
    throw e
  }
  const { code, signal } = await exited
  return { code, signal, stderr: scrub(err, opts.secrets), stdout: Buffer.concat(out).toString('utf8'), tail, bytes }
}

/** One line saying why a child failed: its first `error` line, else its last line of stderr. */
export function failureLine(name: string, r: ChildExit): string {
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const why = lines.find((l) => /error|fatal/i.test(l)) ?? lines[lines.length - 1] ?? 'no message'
  const how = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`
  return `${name} failed (${how}): ${why}`
}

/** `tool --version`, first line, scrubbed. */
export async function toolVersion(cmd: string, opts: ChildOptions): Promise<string> {
  const r = await runChild(cmd, ['--version'], opts)
  if (r.code !== 0) throw new ClaraError(failureLine(path.basename(cmd), r), EXIT.FATAL, 'ETOOL')
  return r.stdout.split('\n')[0].trim()
}
