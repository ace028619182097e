/** The stderr logger: plain lines, pino-shaped JSON lines, or a live progress line on a TTY. */
import type { Argv } from 'yargs'
import type { Io } from './cli.js'

export interface LogFlags {
  quiet?: boolean
  'log-json'?: boolean
  verbose?: boolean
}

/**
 * A parent process (clara-backup) passes its log settings to the tools it runs in the env:
 * `CLARA_LOG` is a comma list of `quiet`, `json`, `verbose` (each ORed with the tool's own flag)
 * and `progress-json` (progress() writes a JSON line at most every 250 ms, and the last one at
 * done(), for the parent to render; it also replaces the TTY and 10-second progress lines).
 */
export interface EnvLogFlags extends LogFlags {
  progressJson?: boolean
}

export function envLogFlags(env: NodeJS.ProcessEnv | undefined): EnvLogFlags {
  const words = new Set((env?.CLARA_LOG ?? '').split(',').map((w) => w.trim()))
  const f: EnvLogFlags = {}
  if (words.has('quiet')) f.quiet = true
  if (words.has('json')) f['log-json'] = true
  if (words.has('verbose')) f.verbose = true
  if (words.has('progress-json')) f.progressJson = true
  return f
}

/** The CLARA_LOG value that hands `flags` (plus progress-json when asked) on to child tools. */
export function claraLogEnv(flags: LogFlags, progressJson = false): string {
  const w: string[] = []
  if (flags.quiet) w.push('quiet')
  if (flags['log-json']) w.push('json')
  if (flags.verbose) w.push('verbose')
  if (progressJson) w.push('progress-json')
  return w.join(',')
}

/** Add --quiet, --log-json and --verbose to a yargs builder. */
export function withLogFlags<T>(y: Argv<T>): Argv<T & LogFlags> {
  return y
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on stderr but fatal errors' })
    .option('log-json', { type: 'boolean', default: false, describe: 'write machine-readable JSON log lines on stderr' })
    .option('verbose', { type: 'boolean', default: false, describe: 'also log each unit as it is done' }) as Argv<T & LogFlags>
}

export interface Progress {
  label?: string
  items: number
  total?: number
  bytes: number
  totalBytes?: number
  /** what the items are called (default "items") */
  noun?: string
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const

/** 1234567 → "1.2 MB" (decimal units). */
export function fmtBytes(n: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < u.length - 1) {
    n /= 1000
    i++
  }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`
}

function fmtSecs(s: number): string {
  if (!isFinite(s)) return '?'
  const m = Math.floor(s / 60)
  return m ? `${m}m${Math.round(s % 60)}s` : `${Math.round(s)}s`
}

/** Render a progress line: items, bytes, rate, ETA. */
export function progressLine(p: Progress, elapsedS: number): string {
  const rate = elapsedS > 0 ? p.bytes / elapsedS : 0
  let eta = ''
  if (p.totalBytes && rate > 0) eta = ` ETA ${fmtSecs((p.totalBytes - p.bytes) / rate)}`
  else if (p.total && p.items > 0) eta = ` ETA ${fmtSecs((elapsedS / p.items) * (p.total - p.items))}`
  const items = p.total !== undefined ? `${p.items}/${p.total}` : `${p.items}`
  return `${p.label ? p.label + ' ' : ''}${items} ${p.noun ?? 'items'}, ${fmtBytes(p.bytes)}, ${fmtBytes(rate)}/s${eta}`
}

/** What a Logger writes to: stderr, whether it is a terminal, the env (CLARA_LOG) and the clock. */
export type LogIo = Pick<Io, 'stderr' | 'isTTY'> & {
  env?: NodeJS.ProcessEnv
  /**
   * Milliseconds now (default Date.now): what the throttles (100 ms on a TTY, 250 ms progress-json,
   * 10 s otherwise), rates and ETAs count with. Tests pass a clock they move by hand.
   */
  now?: () => number
}

export class Logger {
  private now: () => number
  private start: number
  private lastDraw = 0
  private live = false
  private flags: EnvLogFlags
  /** progress-json: the last update not yet written (throttled), flushed by done() */
  private pending: Progress | null = null
  /** `io.env` (when given) may carry CLARA_LOG from a parent process; see envLogFlags. */
  constructor(
    private io: LogIo,
    private name: string,
    flags: LogFlags = {},
  ) {
    this.now = io.now ?? Date.now
    this.start = this.now()
    const e = envLogFlags(io.env)
    this.flags = {
      quiet: Boolean(flags.quiet || e.quiet),
      'log-json': Boolean(flags['log-json'] || e['log-json']),
      verbose: Boolean(flags.verbose || e.verbose),
      progressJson: e.progressJson,
    }
  }

  private line(level: keyof typeof LEVEL, msg: string, extra?: Record<string, unknown>): void {
    if (this.flags.quiet && level !== 'error') return
    this.clearLive()
    if (this.flags['log-json']) {
      this.io.stderr.write(JSON.stringify({ level: LEVEL[level], time: this.now(), name: this.name, msg, ...extra }) + '\n')
    } else {
      this.io.stderr.write(`${this.name}: ${msg}\n`)
    }
  }

  info(msg: string, extra?: Record<string, unknown>): void {
    this.line('info', msg, extra)
  }
  /** Only with --verbose. */
  detail(msg: string, extra?: Record<string, unknown>): void {
    if (this.flags.verbose) this.line('info', msg, extra)
  }
  warn(item: string, msg: string): void {
    this.line('warn', `${item}: ${msg}`, { item })
  }
  error(item: string, msg: string): void {
    this.line('error', `${item}: ${msg}`, { item })
  }

  /** Live line on a TTY (throttled); a plain line every 10 s otherwise. */
  progress(p: Progress): void {
    if (this.flags.quiet) return
    const now = this.now()
    const el = (now - this.start) / 1000
    if (this.flags.progressJson) {
      this.pending = p
      if (now - this.lastDraw < 250) return
      this.lastDraw = now
      this.writeProgressJson()
      return
    }
    if (this.flags['log-json']) {
      if (now - this.lastDraw < 10_000) return
      this.lastDraw = now
      this.io.stderr.write(JSON.stringify({ level: 30, time: now, name: this.name, msg: 'progress', ...p }) + '\n')
      return
    }
    if (this.io.isTTY) {
      if (now - this.lastDraw < 100) return
      this.lastDraw = now
      this.io.stderr.write(`\r\x1b[K${this.name}: ${progressLine(p, el)}`)
      this.live = true
      return
    }
    if (now - this.lastDraw < 10_000) return
    this.lastDraw = now
    this.io.stderr.write(`${this.name}: ${progressLine(p, el)}\n`)
  }

  private clearLive(): void {
    if (this.live) {
      this.io.stderr.write('\r\x1b[K')
      this.live = false
      this.lastDraw = 0 // the next progress() call redraws the wiped line at once
    }
  }

  private writeProgressJson(): void {
    if (!this.pending) return
    this.io.stderr.write(JSON.stringify({ level: 30, time: this.now(), name: this.name, msg: 'progress', ...this.pending }) + '\n')
    this.pending = null
  }

  /** End the live line (progress-json: write the last update). */
  done(): void {
    this.clearLive()
    if (this.flags.progressJson) this.writeProgressJson()
  }
}
