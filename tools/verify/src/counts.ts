/**
 * Project counts (verdict `count`): every project row has a source unit or a listed failure, and
 * every project whose rendered output existed at backup time (the source unit's `places`) has a
 * compiled unit or a listed failure. A project without compiled output legitimately has no
 * compiled unit (clara-list-projects emits none, and no failure). Orphan units are not counted.
 */
import type { DomainScan } from './domain-scan.js'
import type { Unit } from './model.js'

export interface ProjectRows {
  /** project ids, when they could be read */
  ids: string[] | null
  /** the row count (metadata or live database) */
  count: number
  from: string
}

const projectUnits = (s: DomainScan | undefined): Unit[] => (s?.units ?? []).filter((u) => !u.orphan)
const failedUnits = (f: any[]) => new Set(f.map((x) => String(x?.unit ?? x?.project_id ?? '')).filter((u) => !u.startsWith('orphan-')))

function compiledExpected(source: Unit[]): Map<string, boolean> {
  const m = new Map<string, boolean>()
  for (const u of source) {
    const places = u.meta?.places
    if (Array.isArray(places)) m.set(u.name, places.some((p: any) => String(p?.kind).startsWith('compiled_') && p.exists))
  }
  return m
}

/** Problems and a summary for one domain. `needs(id)`: false when the project need not have a unit. */
function accountFor(domain: string, units: Unit[], failed: Set<string>, rows: ProjectRows, needs: (id: string) => boolean | undefined): { problems: string[]; note: string } {
  const have = new Set(units.map((u) => u.name))
  const problems: string[] = []
  let expected = 0
  if (rows.ids) {
    const ids = new Set(rows.ids)
    for (const id of rows.ids) {
      const need = needs(id)
      if (need === false) continue
      // unknown (its source unit failed): only a unit or failure it has can be counted
      if (need === undefined && !have.has(id) && !failed.has(id)) continue
      expected++
      if (!have.has(id) && !failed.has(id)) problems.push(`project ${id} has no ${domain} unit and no listed failure`)
    }
    for (const u of have) if (!ids.has(u)) problems.push(`unit ${u} is not a project row`)
    if (rows.ids.length !== rows.count) problems.push(`${rows.ids.length} project rows in the dump, ${rows.count} in its metadata`)
  } else {
    expected = rows.count
    const accounted = new Set([...have, ...failed]).size
    if (accounted !== rows.count) problems.push(`${have.size} units + ${[...failed].filter((f) => !have.has(f)).length} failures, ${rows.count} project rows`)
  }
  return { problems, note: `${expected} project(s) expected (${rows.from}): ${have.size} unit(s), ${failed.size} listed failure(s)` }
}

/**
 * `selective`: the run was made with --only/--skip, so a project row without a unit is not a
 * problem (every unit must still be a project row). `unselected(domain)`: why the run's selection
 * left the domain out (--domains db,infra), or null; such a domain is not counted.
 */
export function checkCounts(scans: DomainScan[], failures: Record<string, any[]>, rows: ProjectRows, selective = false, unselected: (domain: string) => string | null = () => null): { domain: string; problems: string[]; note: string }[] {
  const source = projectUnits(scans.find((s) => s.domain === 'source_exports'))
  const compiled = projectUnits(scans.find((s) => s.domain === 'compiled_exports'))
  const expected = compiledExpected(source)
  const leftOut = (domain: string) => {
    const why = unselected(domain)
    return why ? { domain, problems: [], note: `not counted: ${why}` } : null
  }
  const out = [leftOut('source_exports') ?? { domain: 'source_exports', ...accountFor('source_exports', source, failedUnits(failures.source_exports ?? []), rows, () => (selective ? undefined : true)) }]
  const compiledOut = leftOut('compiled_exports')
  if (compiledOut) return [...out, compiledOut]
  if (!rows.ids) {
    out.push({ domain: 'compiled_exports', problems: [], note: `${compiled.length} compiled unit(s); per-project check needs the project ids` })
    return out
  }
  const c = accountFor('compiled_exports', compiled, failedUnits(failures.compiled_exports ?? []), rows, (id) => (selective ? undefined : expected.get(id)))
  for (const u of compiled) if (expected.get(u.name) === false) c.problems.push(`unit ${u.name}: its source unit says the project had no rendered output`)
  out.push({ domain: 'compiled_exports', ...c })
  return out
}
