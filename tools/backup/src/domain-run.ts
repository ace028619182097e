/** Run one domain's script as a child process, forwarding its records and checking its stream ends. */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { readRecords, type RecordWriter } from '@clara/shared/ndjson'
import type { Domain } from './domains.js'

export interface DomainResult {
  exit_code: number
  /** the child's stdout stream was complete (ended with its end record) */
  stream_ok: boolean
  message?: string
  records: number
}

/** Spawn `bash scripts/<domain.script>` with `env`; every record it prints is re-emitted through `out`. */
export async function runDomain(scriptsDir: string, d: Domain, env: NodeJS.ProcessEnv, out: RecordWriter, stderr: NodeJS.WritableStream): Promise<DomainResult> {
  const child = spawn('bash', [path.join(scriptsDir, d.script)], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr.pipe(stderr as NodeJS.WritableStream, { end: false })
  const exited = new Promise<number>((resolve) => child.on('close', (code, sig) => resolve(code ?? (sig ? 128 + 9 : 3))))
  let records = 0
  let streamOk = true
  let message: string | undefined
  try {
    for await (const rec of readRecords(child.stdout, { source: `${d.script} stdout` })) {
      records++
      await out.write({ ...rec, domain: (rec as { domain?: string }).domain ?? d.dir })
    }
  } catch (err) {
    streamOk = false
    message = (err as Error).message
    child.stdout.resume()
  }
  const code = await exited
  return { exit_code: code, stream_ok: streamOk, message, records }
}
