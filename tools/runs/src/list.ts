/** `clara-runs list`: one `run_info` record per run, oldest first; or, on a terminal, a table. */
import { fmtBytes } from '@clara/shared/log'
import { fmtAge, type RunFacts } from './run-facts.js'

export type RunInfo = {
  type: 'run_info'
  id: string
  status: RunFacts['status']
  selection: string
  units: number | null
  bytes: number | null
  new_bytes: number | null
  failures: number | null
  started_at: string
  age_seconds: number
  age: string
  latest: boolean
  pinned: boolean
}

export function runInfo(f: RunFacts, now: Date): RunInfo {
  const age = Math.round((now.getTime() - f.time.getTime()) / 1000)
  return {
    type: 'run_info', id: f.id, status: f.status, selection: f.selection,
    units: f.units, bytes: f.bytes, new_bytes: f.new_bytes, failures: f.failures,
    started_at: f.time.toISOString(), age_seconds: age, age: fmtAge(age), latest: f.latest, pinned: f.pinned,
  }
}

const HEAD = ['RUN', 'STATUS', 'SELECTION', 'UNITS', 'SIZE', 'NEW', 'FAILURES', 'AGE', '']

/** The records as an aligned text table (newest last, like the records). */
export function table(rows: RunInfo[]): string {
  const cells = rows.map((r) => [
    r.id, r.status, r.selection,
    r.units === null ? '-' : String(r.units),
    r.bytes === null ? '-' : fmtBytes(r.bytes),
    r.new_bytes === null ? '-' : fmtBytes(r.new_bytes),
    r.failures === null ? '-' : String(r.failures),
    r.age,
    [r.latest ? 'latest' : '', r.pinned ? 'pinned' : ''].filter(Boolean).join(', '),
  ])
  const right = new Set([3, 4, 5, 6, 7])
  const width = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c: string[]) => c.map((x, i) => (right.has(i) ? x.padStart(width[i]) : x.padEnd(width[i]))).join('  ').trimEnd()
  return [line(HEAD), ...cells.map(line)].join('\n') + '\n'
}
