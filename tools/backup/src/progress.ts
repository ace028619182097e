/**
 * What a run shows on stderr while it works: the current domain, unit n of N, bytes, rate and ETA.
 * The tools report progress as JSON lines (CLARA_LOG=progress-json); we draw one line from them
 * (live on a TTY, every 10 s otherwise), and relay every other line of theirs as it came.
 * N and the byte total come from the tool when it knows them (clara-shard), else from the same
 * domain in the previous run's manifest (an estimate: the item count is dropped once passed).
 */
import type { Logger, Progress } from '@clara/shared/log'
import type { Domain } from './domains.js'

export interface PrevTotals {
  units: number
  bytes: number
}

export class RunProgress {
  private label = ''
  private dir = ''
  private prev: PrevTotals | undefined
  private started = new Map<string, number>()
  private ended = new Map<string, number>()
  /** a logger per domain, so rate and ETA count from the domain's start */
  private plog: Logger

  constructor(
    private log: Logger,
    private newLogger: () => Logger,
    private tty: boolean,
    private stderr: NodeJS.WritableStream,
    private prevDomains: Record<string, PrevTotals> = {},
  ) {
    this.plog = newLogger()
  }

  /** A domain starts: one log line, and (on a TTY) its live line at once. */
  startDomain(i: number, n: number, d: Domain): void {
    this.label = `[${i + 1}/${n} ${d.name}]`
    this.dir = d.dir
    this.prev = this.prevDomains[d.dir]
    this.started.set(d.dir, Date.now())
    this.log.info(`domain ${i + 1}/${n}: ${d.name} → ${d.dir}/`)
    this.plog = this.newLogger()
    if (this.tty) this.update({ items: 0, bytes: 0 })
  }

  /** A progress update from the domain's tools. */
  update(p: Progress & { name?: string }): void {
    // Off a TTY (a cron log) only domains that run long get progress lines, every 10 s.
    if (!this.tty && Date.now() - (this.started.get(this.dir) ?? 0) < 10_000) return
    const shown: Progress = { label: this.label, items: p.items, bytes: p.bytes, noun: p.noun ?? 'units' }
    if (p.total !== undefined) {
      shown.total = p.total
      shown.noun = p.noun ?? 'items'
      if (p.totalBytes) shown.totalBytes = p.totalBytes
    } else if (this.prev) {
      if (p.items <= this.prev.units) shown.total = this.prev.units
      if (p.bytes < this.prev.bytes) shown.totalBytes = this.prev.bytes
    }
    this.plog.progress(shown)
  }

  /** A log line of a tool: the live line is wiped first, and redrawn at the next update. */
  relay(line: string): void {
    this.plog.done()
    this.stderr.write(line + '\n')
  }

  endDomain(d: Domain): void {
    this.ended.set(d.dir, Date.now())
    this.plog.done()
  }

  /** Seconds the domain took (0 when it did not run). */
  seconds(dir: string): number {
    const a = this.started.get(dir)
    const b = this.ended.get(dir)
    return a !== undefined && b !== undefined ? (b - a) / 1000 : 0
  }
}
