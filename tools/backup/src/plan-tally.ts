/** A dry run's record stream, counted on its way out, for the summary line at its end. */
import type { ClaraRecord } from '@clara/shared/records'
import { fmtBytes } from '@clara/shared/log'

export interface RecordSink {
  write(rec: ClaraRecord): Promise<void>
}

export class PlanTally implements RecordSink {
  planned = 0
  reused = 0
  bytes = 0
  newBytes = 0
  errors = 0
  /** secret units a real run would leave out (no --encrypt-to) */
  notStored: string[] = []

  constructor(private out: RecordSink) {}

  async write(rec: ClaraRecord): Promise<void> {
    const r = rec as { type: string; planned?: boolean; reused?: boolean; size_bytes?: number }
    if (r.type === 'artifact' && r.planned) {
      this.planned++
      this.bytes += Number(r.size_bytes) || 0
      if (r.reused) this.reused++
      else this.newBytes += Number(r.size_bytes) || 0
    } else if (r.type === 'error') this.errors++
    else if (r.type === 'not_stored') this.notStored.push(`${String((rec as { domain?: unknown }).domain)}/${String((rec as { unit?: unknown }).unit)}`)
    return this.out.write(rec)
  }

  line(): string {
    return `dry run: ${this.planned} artifacts planned (${this.reused} reused), ${fmtBytes(this.bytes)} (${fmtBytes(this.newBytes)} new), ` +
      `${this.errors} error${this.errors === 1 ? '' : 's'}${this.notStored.length ? `, not stored (secret, no --encrypt-to): ${this.notStored.join(', ')}` : ''}; nothing was written`
  }
}
