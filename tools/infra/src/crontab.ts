/** A user's crontab through `crontab -l` (read-only), and who owns the install (whose crontab it is). */
import { execFile } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import type { CaptureSet } from './capture.js'

/** The user name owning `dir` (from /etc/passwd), or the current user when it cannot be told. */
export async function ownerOf(dir: string): Promise<string> {
  const me = os.userInfo().username
  const st = await fsp.stat(dir).catch(() => null)
  if (!st) return me
  const passwd = await fsp.readFile('/etc/passwd', 'utf8').catch(() => '')
  for (const line of passwd.split('\n')) {
    const f = line.split(':')
    if (f.length > 2 && Number(f[2]) === st.uid) return f[0]
  }
  return me
}

interface Run {
  code: number | string | null
  stdout: string
  stderr: string
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 15_000, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** `crontab -l` for `user` (with `-u` only when it is someone else). No crontab is "missing". */
export async function captureCrontab(user: string, env: NodeJS.ProcessEnv, set: CaptureSet): Promise<void> {
  const args = user === os.userInfo().username ? ['-l'] : ['-l', '-u', user]
  const source = `crontab ${args.join(' ')}`
  const r = await run('crontab', args, env)
  if (r.code === 'ENOENT') {
    set.missing.push({ kind: 'crontab', source, reason: 'crontab command not found' })
  } else if (r.code !== 0 && /no crontab for/i.test(r.stderr)) {
    set.missing.push({ kind: 'crontab', source, reason: `no crontab for ${user}` })
  } else if (r.code !== 0) {
    const first = r.stderr.split('\n').find((l) => l.trim()) ?? `exit ${r.code}`
    set.failed.push({ kind: 'crontab', source, message: first.trim(), code: 'ECRONTAB' })
  } else {
    set.captured.push({ kind: 'crontab', source, text: r.stdout })
  }
}
