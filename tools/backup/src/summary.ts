/** The short summary a run prints on stderr at its end: one line for the run, one per domain. */
import { fmtBytes, type Logger } from '@clara/shared/log'
import type { Manifest } from './manifest.js'

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`

/** The summary lines (without the tool name). */
export function summaryLines(m: Manifest, seconds: (dir: string) => number, latest: string): string[] {
  const t = m.totals
  const took = (Date.parse(m.finished_at) - Date.parse(m.started_at)) / 1000
  const from = m.incremental_from ? `, incremental from ${m.incremental_from}` : ', full'
  const lines = [
    `run ${m.run_id} ${m.status} in ${took.toFixed(1)} s${from}: ${plural(t.units, 'unit')} (${t.reused} reused), ` +
      `${fmtBytes(t.bytes)} (${fmtBytes(t.new_bytes)} new), ${plural(t.failures, 'failure')}${t.failures ? ' (failures.json)' : ''}`,
  ]
  const w = Math.max(...Object.keys(m.domains).map((k) => k.length), 6)
  for (const [dir, d] of Object.entries(m.domains)) {
    const cols = [
      dir.padEnd(w),
      `${d.units} units`.padStart(10),
      `${d.reused} reused`.padStart(11),
      fmtBytes(d.bytes).padStart(9),
      `${fmtBytes(d.new_bytes)} new`.padStart(13),
      plural(d.failures, 'failure').padStart(11),
      `${seconds(dir).toFixed(1)} s`.padStart(8),
    ]
    lines.push(`  ${cols.join(' ')}${d.incomplete ? `  DID NOT COMPLETE (exit ${d.exit_code ?? '?'})` : ''}`)
  }
  const secret = Object.entries(m.domains).flatMap(([dir, d]) => (d.not_stored ?? []).map((u) => `${dir}/${u}`))
  if (secret.length) lines.push(`not stored: ${secret.join(', ')} (secret, stored only encrypted: give --encrypt-to; a restore lists them as to be provided)`)
  lines.push(latest)
  return lines
}

export function printSummary(log: Logger, m: Manifest, seconds: (dir: string) => number, latest: string): void {
  const lines = summaryLines(m, seconds, latest)
  log.info(lines[0], { run_id: m.run_id, status: m.status, totals: m.totals })
  const n = Object.keys(m.domains).length
  for (const [i, dir] of Object.keys(m.domains).entries()) log.info(lines[i + 1], { domain: dir, ...m.domains[dir], seconds: seconds(dir) })
  for (const line of lines.slice(n + 1)) log.info(line)
}
