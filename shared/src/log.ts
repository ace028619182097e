/** The stderr logger: plain lines, pino-shaped JSON lines, or a live progress line on a TTY. */
import type { Argv } from 'yargs'
import type { Io } from './cli.js'

export interface LogFlags {
  quiet?: boolean
  'log-json'?: boolean
  verbose?: boolean
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
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const

function fmtBytes(n: number): string {
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
  return `${p.label ? p.label + ' ' : ''}${items} items, ${fmtBytes(p.bytes)}, ${fmtBytes(rate)}/s${eta}`
}

export class Logger {
  private start = Date.now()
  private lastDraw = 0
  private live = false
  constructor(
    private io: Pick<Io, 'stderr' | 'isTTY'>,
    private name: string,
    private flags: LogFlags = {},
  ) {}

  private line(level: keyof typeof LEVEL, msg: string, extra?: Record<string, unknown>): void {
    if (this.flags.quiet && level !== 'error') return
    this.clearLive()
    if (this.flags['log-json']) {
      this.io.stderr.write(JSON.stringify({ level: LEVEL[level], time: Date.now(), name: this.name, msg, ...extra }) + '\n')
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
    const now = Date.now()
    const el = (now - this.start) / 1000
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

  /** End the live line. */
  done(): void {
    this.clearLive()
  }
}
