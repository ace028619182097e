/** `--report-types`: records a lister flags (e.g. audio rows without a file) are counted into index.json and kept in reports.ndjson. */
import path from 'node:path'
import { writeFileAtomic } from '@clara/shared/atomic'
import type { ClaraRecord } from '@clara/shared/records'

/** Write `<out>/reports.ndjson` (closed by an `end` record) and return the count per type. */
export async function writeReports(outDir: string, reports: Map<string, ClaraRecord[]>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const lines: string[] = []
  for (const [type, recs] of reports) {
    counts[type] = recs.length
    for (const r of recs) lines.push(JSON.stringify(r) + '\n')
  }
  lines.push(JSON.stringify({ type: 'end', count: lines.length }) + '\n')
  await writeFileAtomic(path.join(outDir, 'reports.ndjson'), lines.join(''))
  return counts
}
