/** The verdict stream: one record per check and per unit, counted for the summary and the exit code. */
import type { RecordWriter } from '@clara/shared/ndjson'
import type { Logger } from '@clara/shared/log'
import type { VerdictRecord } from '@clara/shared/records'

export interface VerdictExtra {
  /** ok, but worth a look (stray temp file, a reference already missing at backup time, a skipped check) */
  warning?: boolean
  [field: string]: unknown
}

/** Collects verdicts: writes each one at once, logs failures, and keeps the counts. */
export class Verdicts {
  ok = 0
  failed = 0
  warnings = 0
  /** failing verdicts, for the human summary */
  readonly failures: VerdictRecord[] = []
  private byCheck = new Map<string, { ok: number; failed: number }>()

  constructor(private out: RecordWriter, private log: Logger) {}

  async add(check: string, item: string, ok: boolean, message?: string, extra: VerdictExtra = {}): Promise<void> {
    const rec: VerdictRecord = { type: 'verdict', check, item, ok, ...(message !== undefined ? { message } : {}), ...extra }
    const c = this.byCheck.get(check) ?? { ok: 0, failed: 0 }
    if (ok) {
      this.ok++
      c.ok++
      if (extra.warning) {
        this.warnings++
        this.log.warn(item, `${check}: ${message ?? 'warning'}`)
      } else this.log.detail(`ok ${check} ${item}${message ? `: ${message}` : ''}`)
    } else {
      this.failed++
      c.failed++
      this.failures.push(rec)
      this.log.error(item, `${check}: ${message ?? 'failed'}`)
    }
    this.byCheck.set(check, c)
    await this.out.write(rec)
  }

  /** Pass when `problems` is empty, else fail with them joined. */
  async expect(check: string, item: string, problems: string[], okMessage?: string, extra: VerdictExtra = {}): Promise<void> {
    const max = 5
    const more = problems.length > max ? `; … and ${problems.length - max} more` : ''
    await this.add(check, item, problems.length === 0, problems.length ? problems.slice(0, max).join('; ') + more : okMessage, problems.length ? { ...extra, problems: problems.length } : extra)
  }

  counts(): Record<string, { ok: number; failed: number }> {
    return Object.fromEntries([...this.byCheck].sort(([a], [b]) => (a < b ? -1 : 1)))
  }
}
