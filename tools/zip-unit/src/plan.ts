/** Plan a unit: collect every archive's members, run the rewrite scan, resolve copies, fingerprint. */
import type { ArchiveSpec, UnitRecord } from '@clara/shared/records'
import type { FaultHook } from '@clara/shared/source-file'
import { addMember, collectArchive, sortedMembers, type Collected, type Member } from './collect.js'
import { fingerprint } from './fingerprint.js'
import type { MetadataParts } from './metadata.js'
import { compileRewrites } from './rewrite.js'
import { copyMember, resolveCopies, scanRewrites, type Reported, type Rewritten, type Unresolved } from './scan.js'

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
  reported: Reported[]
  copied: MetadataParts['copied']
}

export interface PlanOptions {
  level: number
  checksums: boolean
  rewriteBudget: number
  fault?: FaultHook
}

/** One archive's walked members, before any rewrite scan (stat only, no file read). */
export interface CollectedArchive {
  spec: ArchiveSpec
  c: Collected & { byName: Map<string, Member> }
}

const tag = <T extends object>(archive: string, xs: T[]) => xs.map((x) => ({ archive, ...x }))

/** Walk every archive's sources. */
export async function collectUnit(rec: UnitRecord): Promise<CollectedArchive[]> {
  const out: CollectedArchive[] = []
  for (const spec of rec.archives) out.push({ spec, c: await collectArchive(spec) })
  return out
}

/**
 * The unit's fingerprint without reading any file, given the copies its rewrites brought in last
 * time (`copied` of the previous metadata.json). Equal member stats mean equal contents (the
 * fingerprint's own assumption), so the scan would find the same copies; their sources are
 * stat'ed again here. Null when a unit with rewrites has no such record, or a recorded copy can no
 * longer be made: only the full plan can tell then. Leaves `collected` untouched.
 */
export async function quickFingerprint(rec: UnitRecord, collected: CollectedArchive[], copied: MetadataParts['copied'] | undefined, o: PlanOptions): Promise<string | null> {
  const archives: PlannedArchive[] = []
  for (const { spec, c } of collected) {
    const mine = (copied ?? []).filter((x) => x.archive === spec.name)
    if (!mine.length) {
      if (spec.rewrites?.length && !copied) return null
      archives.push({ spec, members: c.members })
      continue
    }
    const byName = new Map(c.byName)
    for (const x of mine) {
      if (byName.has(x.path)) return null
      const m = await copyMember(x.from, x.path)
      if (typeof m === 'string') return null
      addMember(byName, m)
    }
    archives.push({ spec, members: sortedMembers(byName) })
  }
  return fingerprint({ rec, archives, level: o.level, checksums: o.checksums })
}

/** Everything about a unit that can be known without writing it, from its collected archives. */
export async function finishPlan(rec: UnitRecord, collected: CollectedArchive[], o: PlanOptions): Promise<UnitPlan> {
  const plan: UnitPlan = { archives: [], fingerprint: '', symlinks: [], skipped: [], rewritten: [], unresolved: [], reported: [], copied: [] }
  const scanState = { budget: o.rewriteBudget, fault: o.fault }
  for (const { spec, c } of collected) {
    const scan = scanRewrites(spec.name, c.members, compileRewrites(spec.rewrites), scanState)
    const r = await resolveCopies(spec.name, scan.copies, c.byName)
    plan.unresolved.push(...r.unresolved)
    plan.reported.push(...scan.reported)
    plan.copied.push(...tag(spec.name, r.copied))
    plan.rewritten.push(...scan.rewritten)
    plan.symlinks.push(...tag(spec.name, c.symlinks))
    plan.skipped.push(...tag(spec.name, c.skipped))
    plan.archives.push({ spec, members: sortedMembers(c.byName) })
  }
  plan.fingerprint = fingerprint({ rec, archives: plan.archives, level: o.level, checksums: o.checksums })
  return plan
}

/** Everything about a unit that can be known without writing it. */
export async function planUnit(rec: UnitRecord, o: PlanOptions): Promise<UnitPlan> {
  return finishPlan(rec, await collectUnit(rec), o)
}
