/** Plan a unit: collect every archive's members, run the rewrite scan, resolve copies, fingerprint. */
import type { ArchiveSpec, UnitRecord } from '@clara/shared/records'
import type { FaultHook } from '@clara/shared/source-file'
import { collectArchive, sortedMembers, type Collected, type Member } from './collect.js'
import { fingerprint } from './fingerprint.js'
import type { MetadataParts } from './metadata.js'
import { compileRewrites } from './rewrite.js'
import { resolveCopies, scanRewrites, type Rewritten, type Unresolved } from './scan.js'

export interface PlannedArchive {
  spec: ArchiveSpec
  members: Member[]
}

export interface UnitPlan {
  archives: PlannedArchive[]
  fingerprint: string
  symlinks: MetadataParts['symlinks']
  skipped: MetadataParts['skipped']
  rewritten: Rewritten[]
  unresolved: Unresolved[]
}

export interface PlanOptions {
  level: number
  checksums: boolean
  rewriteBudget: number
  fault?: FaultHook
}

const tag = <T extends object>(archive: string, xs: T[]) => xs.map((x) => ({ archive, ...x }))

/** Everything about a unit that can be known without writing it. */
export async function planUnit(rec: UnitRecord, o: PlanOptions): Promise<UnitPlan> {
  const plan: UnitPlan = { archives: [], fingerprint: '', symlinks: [], skipped: [], rewritten: [], unresolved: [] }
  const scanState = { budget: o.rewriteBudget, fault: o.fault }
  for (const spec of rec.archives) {
    const c: Collected & { byName: Map<string, Member> } = await collectArchive(spec)
    const scan = scanRewrites(spec.name, c.members, compileRewrites(spec.rewrites), scanState)
    plan.unresolved.push(...(await resolveCopies(spec.name, scan.copies, c.byName)))
    plan.rewritten.push(...scan.rewritten)
    plan.symlinks.push(...tag(spec.name, c.symlinks))
    plan.skipped.push(...tag(spec.name, c.skipped))
    plan.archives.push({ spec, members: sortedMembers(c.byName) })
  }
  plan.fingerprint = fingerprint({ rec, archives: plan.archives, level: o.level, checksums: o.checksums })
  return plan
}
