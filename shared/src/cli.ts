/** The process boundary: `Io`, the exit-code registry, known errors and `run(main)`. */
import type { Readable, Writable } from 'node:stream'

/** One exit-code registry for every clara-* tool (documented in the README). */
export const EXIT = {
  OK: 0,
  PARTIAL: 1,
  USAGE: 2,
  FATAL: 3,
  LOCKED: 11,
  MISMATCH: 12,
  INTERRUPTED: 130,
} as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Everything a tool may touch of its process. `main` never reads `process` itself. */
export interface Io {
  argv: string[]
  stdin: Readable
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  cwd: string
  /** aborted on SIGINT/SIGTERM */
  signal: AbortSignal
  /** true when stderr is a terminal (live progress line) */
  isTTY: boolean
}

/** A known failure: printed as one line, mapped to `exitCode`. */
export class ClaraError extends Error {
  constructor(message: string, public exitCode: ExitCode = EXIT.FATAL, public code?: string) {
    super(message)
    this.name = 'ClaraError'
  }
}

/** Bad arguments: exit 2, nothing read yet. */
export class UsageError extends ClaraError {
  constructor(message: string) {
    super(message, EXIT.USAGE, 'EUSAGE')
    this.name = 'UsageError'
  }
}

export type Main = (io: Io) => Promise<number>

/** How long `main` may take to wind down after SIGINT/SIGTERM before the process exits 130. */
export const SIGNAL_GRACE_MS = 2000

/** The tool name used as the prefix of every stderr line. */
export function toolName(argv1: string | undefined): string {
  const base = (argv1 ?? 'clara').split('/').pop() ?? 'clara'
  return base.replace(/\.(c|m)?js$/, '').replace(/^bin$/, 'clara')
}

/** Turn any thrown value into an exit code, printing one line for known errors. */
export function exitFor(err: unknown, stderr: Writable, name: string): number {
  if (isEpipe(err)) return EXIT.OK
  if (err instanceof ClaraError) {
    stderr.write(`${name}: ${err.message}\n`)
    return err.exitCode
  }
  if ((err as Error)?.name === 'AbortError') {
    stderr.write(`${name}: interrupted\n`)
    return EXIT.INTERRUPTED
  }
  // a system call that failed (a full or read-only disk, a missing folder) names its path: one line, no stack
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string' && typeof (err as NodeJS.ErrnoException).code === 'string') {
    stderr.write(`${name}: ${err.message}\n`)
    return EXIT.FATAL
  }
  stderr.write(`${name}: ${(err as Error)?.stack ?? String(err)}\n`)
  return EXIT.FATAL
}

export function isEpipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EPIPE' || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_DESTROYED'
}

/** Run `main` as the process: builds `Io`, handles EPIPE and signals, sets `process.exitCode`. */
export function run(main: Main, name = toolName(process.argv[1])): void {
  const ac = new AbortController()
  let signalled = false
  const onSignal = () => {
    if (signalled) process.exit(EXIT.INTERRUPTED)
    signalled = true
    // a signal that lands after main has returned, before the process is gone, still means interrupted
    process.exitCode = EXIT.INTERRUPTED
    ac.abort()
    // A main that is not watching io.signal (e.g. blocked reading stdin) must still stop:
    // give it a moment to clean up, then exit.
    setTimeout(() => process.exit(EXIT.INTERRUPTED), SIGNAL_GRACE_MS).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // A crash outside main's promise (an 'error' event nobody handles, a forgotten rejection) must
  // not end as Node's default exit 1, which in our registry means "partial".
  const crash = (err: unknown) => process.exit(signalled ? EXIT.INTERRUPTED : exitFor(err, process.stderr, name))
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)
  // EPIPE on stdout (e.g. `| head -1`): quiet success.
  process.stdout.on('error', (err) => {
    if (isEpipe(err)) process.exit(EXIT.OK)
    throw err
  })
  const io: Io = {
    argv: process.argv.slice(2),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: ac.signal,
    isTTY: Boolean(process.stderr.isTTY),
  }
  process.title = name
  main(io).then(
    (code) => {
      process.exitCode = signalled ? EXIT.INTERRUPTED : code
    },
    (err) => {
      process.exitCode = signalled ? EXIT.INTERRUPTED : exitFor(err, process.stderr, name)
    },
  )
}
