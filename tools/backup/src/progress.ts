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

interface Live {
  label: string
  prev: PrevTotals | undefined
  started: number
  /** a logger per domain, so rate and ETA count from the domain's start */
  plog: Logger
}

export class RunProgress {
  /** the domains running now (with --jobs > 1, more than one) */
  private live = new Map<string, Live>()
  /** the domain started last: where an update without a domain goes */
  private current = ''
  private started = new Map<string, number>()
  private ended = new Map<string, number>()

  constructor(
    private log: Logger,
    private newLogger: () => Logger,
    private tty: boolean,
    private stderr: NodeJS.WritableStream,
    private prevDomains: Record<string, PrevTotals> = {},
    /** ms now (default Date.now): domain seconds and the 10-s quiet start off a TTY; tests move it by hand */
    private now: () => number = Date.now,
  ) {}

  /** A domain starts: one log line, and (on a TTY) its live line at once. */
  startDomain(i: number, n: number, d: Domain): void {
    const now = this.now()
    this.current = d.dir
    this.started.set(d.dir, now)
    this.live.set(d.dir, { label: `[${i + 1}/${n} ${d.name}]`, prev: this.prevDomains[d.dir], started: now, plog: this.newLogger() })
    this.log.info(`domain ${i + 1}/${n}: ${d.name} → ${d.dir}/`)
    if (this.tty) this.update({ items: 0, bytes: 0 }, d.dir)
  }

  /** A progress update from a domain's tools (the domain started last when `dir` is not given). */
  update(p: Progress & { name?: string }, dir = this.current): void {
    const l = this.live.get(dir)
    if (!l) return
    // Off a TTY (a cron log) only domains that run long get progress lines, every 10 s.
    if (!this.tty && this.now() - l.started < 10_000) return
    const shown: Progress = { label: l.label, items: p.items, bytes: p.bytes, noun: p.noun ?? 'units' }
    if (p.total !== undefined) {
      shown.total = p.total
      shown.noun = p.noun ?? 'items'
      if (p.totalBytes) shown.totalBytes = p.totalBytes
    } else if (l.prev) {
      if (p.items <= l.prev.units) shown.total = l.prev.units
      if (p.bytes < l.prev.bytes) shown.totalBytes = l.prev.bytes
    }
    l.plog.progress(shown)
  }

  /**
   * A log line of a tool: the live line is wiped first, and redrawn at the next update. With the
   * domain it came from, the line names it (with --jobs 2 the heading above it may be another domain's).
   */
  relay(line: string, domain?: string): void {
    for (const l of this.live.values()) l.plog.done()
    this.stderr.write((domain ? tagLine(line, domain) : line) + '\n')
  }

  endDomain(d: Domain): void {
    this.ended.set(d.dir, this.now())
    this.live.get(d.dir)?.plog.done()
    this.live.delete(d.dir)
  }

  /** Seconds the domain took (0 when it did not run). */
  seconds(dir: string): number {
    const a = this.started.get(dir)
    const b = this.ended.get(dir)
    return a !== undefined && b !== undefined ? (b - a) / 1000 : 0
  }
}

/** A tool's log line naming its domain: `[source] clara-zip-unit: …`, or a JSON line with a `domain` field. */
export function tagLine(line: string, domain: string): string {
  if (line.startsWith('{')) {
    try {
      const j = JSON.parse(line)
      if (j && typeof j === 'object' && !Array.isArray(j)) return JSON.stringify({ ...j, domain: j.domain ?? domain })
    } catch {
      // not JSON after all: tagged as text
    }
  }
  return `[${domain}] ${line}`
}
