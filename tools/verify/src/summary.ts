/** The human summary on stderr: what was checked, and every failing verdict by name. */
import type { Writable } from 'node:stream'
import type { Options } from './options.js'
import type { Verdicts } from './verdicts.js'

const level = (o: Options) => (o.data.level === 'sample' ? `sample ${o.data.percent}% (seed ${o.seed})` : o.data.level)

export function humanSummary(err: Writable, o: Options, v: Verdicts, s: { run: string; rehashed: number; artifacts: number; bytes: number; members: number; seconds: number }): void {
  if (o.quiet && !v.failed) return
  const lines = [
    `clara-verify: ${s.run}`,
    `  data level ${level(o)}: ${s.artifacts} artifacts, ${s.rehashed} re-hashed (${(s.bytes / 1e6).toFixed(1)} MB, ${s.members} members read) in ${s.seconds.toFixed(1)} s`,
  ]
  for (const [check, c] of Object.entries(v.counts())) lines.push(`  ${check.padEnd(12)} ${c.ok} ok${c.failed ? `, ${c.failed} FAILED` : ''}`)
  if (v.failed) {
    lines.push(`  ${v.failed} mismatch(es):`)
    for (const f of v.failures.slice(0, 50)) lines.push(`    ${f.check} ${f.item}: ${f.message ?? ''}`)
    if (v.failures.length > 50) lines.push(`    … and ${v.failures.length - 50} more (see the verdict records)`)
  }
  lines.push(v.failed ? `  RESULT: MISMATCH (${v.failed} failing, ${v.ok} ok, ${v.warnings} warnings)` : `  RESULT: OK (${v.ok} checks, ${v.warnings} warnings)`)
  err.write(lines.join('\n') + '\n')
}
