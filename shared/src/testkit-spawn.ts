/** Helpers for tests that run real processes: built bins, or small node scripts using the shared plumbing. */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from './testkit.js'

export interface SpawnResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  pid: number
}

/**
 * How long a child of a test may run before the test calls it hung and kills it: a hang guard, not a
 * speed limit, so it is far above what the slowest run takes on a loaded 2-core machine (a whole
 * clara-backup of the fixture took over 2 minutes at load 45). Tap's own per-file timeout (.taprc) is
 * longer still.
 */
export const HANG_MS = 600_000

export interface SpawnOptions {
  /** written to stdin, then stdin is closed; omitted: stdin is closed at once */
  input?: string | Buffer
  /** default: childEnv() */
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** kill the child with SIGKILL after this long (default HANG_MS) */
  timeoutMs?: number
  /** called once the child is running (to signal it, kill it …) */
  onSpawn?: (child: ChildProcess) => void
  /** leave stdin open (no `input`): the test ends it, or signals the child */
  stdinOpen?: boolean
}

/**
 * The test process's environment without NODE_OPTIONS: tap injects its process-info loader
 * there, which would slow every child down and inflate its memory.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  delete env.NODE_OPTIONS
  return env
}

/** Run a command to completion and collect its output and exit status. */
export function spawnTool(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? childEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout!.on('data', (c: Buffer) => out.push(c))
    child.stderr!.on('data', (c: Buffer) => err.push(c))
    child.stdin!.on('error', () => {}) // the child may exit without reading its input
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? HANG_MS)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), pid: child.pid! })
    })
    opts.onSpawn?.(child)
    if (opts.stdinOpen) child.stdin!.write(opts.input ?? '')
    else child.stdin!.end(opts.input ?? '')
  })
}

/** Run a bash command line with `-o pipefail` (the Makefile's shell). */
export function spawnBash(script: string, opts: SpawnOptions = {}): Promise<SpawnResult> {
  return spawnTool('bash', ['-o', 'pipefail', '-c', script], opts)
}

/** `<repo>/node_modules/.bin/<name>`: where `make build` puts every clara-* bin. */
export function binPath(name: string): string {
  return path.join(repoRoot(), 'node_modules', '.bin', name)
}

/** The file URL of a built shared module (`'ndjson'` → …/shared/dist/src/ndjson.js), for child scripts to import. */
export function sharedModule(name: string): string {
  return new URL(`./${name}.js`, import.meta.url).href
}

/** Write a small ES module script into `dir` and return its path (run it with `node`). */
export function writeScript(dir: string, name: string, source: string): string {
  const file = path.join(dir, name.endsWith('.mjs') ? name : `${name}.mjs`)
  writeFileSync(file, source)
  return file
}
