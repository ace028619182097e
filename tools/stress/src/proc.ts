/** Child processes for the trials: run to completion, or run in their own process group until a kill point. */
import { spawn, type ChildProcess } from 'node:child_process'
import { openSync, closeSync } from 'node:fs'
import { toolEnv } from './paths.js'

export interface Cmd {
  cmd: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** a file to feed on stdin (default: no input) */
  stdinFile?: string
  /** kill the whole group after this long (a hang is a failure; default 600 s, far above a run on a loaded machine) */
  timeoutMs?: number
}

export interface Done {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
  timedOut: boolean
}

/** Start `c` as the leader of a new process group (so a kill reaches the whole pipeline below it). */
export function startGroup(c: Cmd): ChildProcess {
  const fd = c.stdinFile ? openSync(c.stdinFile, 'r') : 'ignore'
  try {
    return spawn(c.cmd, c.args, { cwd: c.cwd, env: c.env ?? toolEnv(), stdio: [fd, 'pipe', 'pipe'], detached: true })
  } finally {
    if (typeof fd === 'number') closeSync(fd)
  }
}

/** SIGKILL every process of the group led by `pid`, then wait (≤ 5 s) until none is left. */
export async function killGroup(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pid, 0)
      return true
    } catch {
      return false
    }
  }
  for (let i = 0; i < 100 && alive(); i++) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      /* gone between the check and the kill */
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Collect a started group's output until it closes; `onLine` sees each stdout line as it comes. */
export function collect(child: ChildProcess, c: Cmd, onLine?: (line: string) => void): Promise<Done> {
  const t0 = Date.now()
  const out: string[] = []
  const err: Buffer[] = []
  let partial = ''
  let timedOut = false
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (s: string) => {
    out.push(s)
    const lines = (partial + s).split('\n')
    partial = lines.pop()!
    for (const l of lines) if (l.trim()) onLine?.(l)
  })
  child.stderr!.on('data', (b: Buffer) => err.push(b))
  const timer = setTimeout(() => {
    timedOut = true
    void killGroup(child.pid!)
  }, c.timeoutMs ?? 600_000)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: out.join(''), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - t0, timedOut })
    })
  })
}

/** Run `c` to completion (in its own group, killed whole on timeout). */
export async function runCmd(c: Cmd): Promise<Done> {
  const child = startGroup(c)
  const done = await collect(child, c)
  await killGroup(child.pid!) // nothing of it may outlive it (a pipeline's stragglers)
  return done
}

/** `bash -o pipefail -c script` as a Cmd. */
export function bash(script: string, opts: Omit<Cmd, 'cmd' | 'args'> = {}): Cmd {
  return { cmd: 'bash', args: ['-o', 'pipefail', '-c', script], ...opts }
}

/** The NDJSON records of a tool's stdout (lines that do not parse are kept as `{type: '__unparsed__'}`). */
export function recordsOf(stdout: string): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return stdout.split('\n').filter((l) => l.trim()).map((l) => {
    try {
      return JSON.parse(l)
    } catch {
      return { type: '__unparsed__', line: l }
    }
  })
}
