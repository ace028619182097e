/** Run a client tool (pg_restore, mysql, clara-encrypt): stdin from a file, stdout collected or passed on, stderr scrubbed. */
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { scrub } from '@clara/shared/db'

export interface ChildOptions {
  env: NodeJS.ProcessEnv
  /** a file fed to stdin (mysql < dump.sql) */
  stdinFile?: string
  /** strings blanked out of what we keep (passwords) */
  secrets: (string | undefined)[]
}

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

const KEEP = 64 * 1024

/** Never rejects on a non-zero exit; a missing tool is a fatal ClaraError. */
export async function runChild(cmd: string, args: string[], opts: ChildOptions): Promise<ChildExit> {
  const child = spawn(cmd, args, { env: opts.env, stdio: [opts.stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new ClaraError(`${path.basename(cmd)} not found: install it (it must be on PATH)`, EXIT.FATAL, 'ENOENT') : err)
    })
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  exited.catch(() => {})
  let err = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (s: string) => {
    if (err.length < KEEP) err += s
  })
  const feed = opts.stdinFile ? pipeline(createReadStream(opts.stdinFile), child.stdin!).catch(() => {}) : Promise.resolve()
  const out: Buffer[] = []
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) out.push(chunk)
  await feed
  const { code, signal } = await exited
  return { code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: scrub(err, opts.secrets) }
}

/** One line saying why a child failed. */
export function failureLine(name: string, r: ChildExit): string {
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const why = lines.find((l) => /error|fatal/i.test(l)) ?? lines[lines.length - 1] ?? 'no message'
  return `${name} failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.code}`}): ${why}`
}
