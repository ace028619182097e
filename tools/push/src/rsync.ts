/**
 * The rsync calls of a push, all run from inside BACKUP_ROOT with run ids as relative sources:
 * 1. every finished run in ONE call with `-H` (links between runs survive), manifests held back,
 *    `--partial --delay-updates` so an interrupted push leaves nothing half-written in place and a
 *    rerun resumes;
 * 2. the manifests (`-R`), so a run on the remote is only "finished" once all of it is there;
 * 3. the `latest` symlink, which rsync replaces by temp name + rename, only after 1 and 2 succeeded.
 */
import { spawn } from 'node:child_process'

export interface RsyncCall {
  args: string[]
  cwd: string
}

export interface RsyncResult {
  code: number
  stdout: string
  stderr: string
}

function transport(ssh: string | undefined): string[] {
  return ssh ? ['-e', ssh] : []
}

/** Pass 1: the run directories, hard links kept, manifests excluded. */
export function runsCall(root: string, runs: string[], dest: string, ssh?: string): RsyncCall {
  const args = ['-aH', '--partial', '--delay-updates', '--stats', '--exclude=/*/manifest.json', '--exclude=.*.tmp', ...transport(ssh), ...runs, dest]
  return { args, cwd: root }
}

/** Pass 2: the manifests, at their relative paths. */
export function manifestsCall(root: string, runs: string[], dest: string, ssh?: string): RsyncCall {
  return { args: ['-aR', '--delay-updates', ...transport(ssh), ...runs.map((r) => `${r}/manifest.json`), dest], cwd: root }
}

/** Pass 3: a `latest` symlink prepared in `dir`, into the destination directory. */
export function latestCall(dir: string, dest: string, ssh?: string): RsyncCall {
  return { args: ['-l', ...transport(ssh), 'latest', dest], cwd: dir }
}

/** Run rsync; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runRsync(call: RsyncCall, env: NodeJS.ProcessEnv, signal?: AbortSignal, bin = 'rsync'): Promise<RsyncResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, call.args, { cwd: call.cwd, env, signal, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr }))
  })
}

/** Bytes sent and files transferred, from `--stats`. */
export function parseStats(stdout: string): { bytes: number; files: number } {
  const num = (re: RegExp) => Number((re.exec(stdout)?.[1] ?? '0').replace(/[,.]/g, ''))
  return { bytes: num(/Total transferred file size: ([\d,.]+)/), files: num(/Number of regular files transferred: ([\d,.]+)/) }
}
