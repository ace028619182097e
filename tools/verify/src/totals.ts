/** The manifest's per-domain and overall totals against the sums of the domains' own indexes. */
import path from 'node:path'
import { indexList, readJson } from './json-file.js'

export interface Totals {
  units: number
  bytes: number
  failures: number
}

/** The failure entries of a domain's failures.json ([] when there is none). */
export async function readFailures(runDir: string, domain: string): Promise<any[]> {
  const f = await readJson(path.join(runDir, domain, 'failures.json'))
  if (!f.ok) return []
  return Array.isArray(f.doc?.failures) ? f.doc.failures : Array.isArray(f.doc) ? f.doc : []
}

/** A domain's totals, counted the way the manifest counts them (distinct units, summed sizes, failures). */
export async function indexTotals(runDir: string, domain: string): Promise<Totals> {
  const idx = await readJson(path.join(runDir, domain, 'index.json'))
  const entries = (idx.ok ? indexList(idx.doc) : null) ?? []
  const units = new Set(entries.map((e: any) => String(e?.unit ?? e?.project_id ?? e?.name ?? JSON.stringify(e))))
  const bytes = entries.reduce((s: number, e: any) => s + (Number(e?.size_bytes) || 0), 0)
  return { units: units.size, bytes, failures: (await readFailures(runDir, domain)).length }
}

/** Problems with the manifest's numbers; `domains` are the domain folders found in the run. */
export async function checkTotals(runDir: string, manifest: any, domains: string[]): Promise<string[]> {
  const problems: string[] = []
  const md: Record<string, any> = manifest?.domains && typeof manifest.domains === 'object' ? manifest.domains : {}
  const sum: Totals = { units: 0, bytes: 0, failures: 0 }
  for (const d of [...new Set([...Object.keys(md), ...domains])].sort()) {
    const m = md[d]
    if (!m) {
      problems.push(`${d}/ is in the run but not in manifest.json`)
      continue
    }
    if (m.incomplete) problems.push(`${d}: the domain did not complete (exit ${m.exit_code ?? '?'})`)
    sum.failures += m.incomplete ? 1 : 0
    const t = await indexTotals(runDir, d)
    if (!domains.includes(d) && (m.units || m.bytes)) problems.push(`${d}: in manifest.json with ${m.units} units, but no ${d}/ folder`)
    for (const k of ['units', 'bytes', 'failures'] as const) {
      if (Number(m[k]) !== t[k]) problems.push(`${d}: manifest.json says ${k} ${m[k]}, the index says ${t[k]}`)
      sum[k] += t[k]
    }
  }
  const mt = manifest?.totals ?? {}
  for (const k of ['units', 'bytes', 'failures'] as const) if (Number(mt[k]) !== sum[k]) problems.push(`totals: manifest.json says ${k} ${mt[k]}, the indexes add up to ${sum[k]}`)
  return problems
}
