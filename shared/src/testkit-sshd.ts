/**
 * Test helper (tests only): a throwaway OpenSSH server on 127.0.0.1, a free port, its own host key
 * and one user key, all in a temp dir. For off-site push/pull tests. Debian's openssh-server
 * (`/usr/sbin/sshd`) must be installed (scripts/test-deps.sh does it); a missing sshd is a loud
 * failure, never a skip.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export interface Sshd {
  port: number
  user: string
  /** an `ssh …` command line (for rsync -e / CLARA_PUSH_SSH) that logs in with the throwaway key */
  sshCommand: string
  /** `user@127.0.0.1` */
  host: string
  stop(): Promise<void>
}

/** A free TCP port on 127.0.0.1 (bound, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'clara-test', '-f', file], { stdio: 'ignore' })
}

function config(dir: string, port: number, user: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${dir}/host_ed25519`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AllowUsers ${user}`,
    'LogLevel INFO',
    '',
  ].join('\n')
}

/** Wait for sshd's "Server listening" line, or fail with what it printed. */
function waitListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = ''
    const timer = setTimeout(() => reject(new Error(`sshd did not start within ${timeoutMs} ms: ${err}`)), timeoutMs)
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString()
      if (/Server listening on 127\.0\.0\.1/.test(err)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`sshd exited with ${code}: ${err}`))
    })
  })
}

/** Start sshd in `dir` (created). Call `stop()` in teardown. */
export async function startSshd(dir: string, sshdBin = '/usr/sbin/sshd'): Promise<Sshd> {
  await fsp.access(sshdBin).catch(() => {
    throw new Error(`${sshdBin} is missing: install openssh-server (scripts/test-deps.sh does)`)
  })
  await fsp.mkdir(dir, { recursive: true })
  await fsp.mkdir('/run/sshd', { recursive: true, mode: 0o755 }) // privilege separation dir
  keygen(path.join(dir, 'host_ed25519'))
  keygen(path.join(dir, 'user_ed25519'))
  await fsp.copyFile(path.join(dir, 'user_ed25519.pub'), path.join(dir, 'authorized_keys'))
  const user = os.userInfo().username
  const port = await freePort()
  await fsp.writeFile(path.join(dir, 'sshd_config'), config(dir, port, user))
  const child = spawn(sshdBin, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] })
  await waitListening(child, 10_000)
  const sshCommand = [
    'ssh', '-F', '/dev/null', '-p', String(port), '-i', path.join(dir, 'user_ed25519'),
    '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
  ].join(' ')
  return {
    port,
    user,
    host: `${user}@127.0.0.1`,
    sshCommand,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}
