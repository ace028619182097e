/** Turn project and orphan records into `unit` records for one domain (source or compiled). */
import type { Row } from '@clara/shared/db'
import type { WarningRecord } from '@clara/shared/records'
import { TEXT_TYPES, type TextType } from './clara-layout.js'
import { compiledUnit, COMPILED_DOMAIN, glossTable, type Bundle } from './compiled-unit.js'
import { nameFields, orphanName, orphanUnitName, type OrphanInfo } from './orphans.js'
import type { ProjectInfo } from './project-record.js'
import type { AudioMembers } from './audio-export.js'
import { orphanSourceUnit, projectMetadata, projectSourceUnit, SOURCE_DOMAIN, type UnitPlan } from './source-unit.js'

export interface UnitOptions {
  clara: string
  appCommit: string | null
  textTypes: TextType[]
  bundle: Bundle
  /** the audio members of each project's source archive, by project id */
  audio?: Map<number, AudioMembers>
  /** picture-gloss rows */
  gloss?: Row[]
}

/**
 * Orphans grouped by name (a content dir and an image dir of the same iid make one unit), names
 * in byte order; a name is its text, or its bytes when they are not UTF-8 (grouped by the bytes).
 */
function byName(orphans: OrphanInfo[], kinds: string[]): [string | Buffer, OrphanInfo[]][] {
  const m = new Map<string, OrphanInfo[]>()
  for (const o of orphans) {
    if (!kinds.includes(o.kind)) continue
    const key = Buffer.from(orphanName(o)).toString('latin1')
    m.set(key, [...(m.get(key) ?? []), o])
  }
  return [...m.values()].map((g): [string | Buffer, OrphanInfo[]] => [orphanName(g[0]), g]).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

function skipped(domain: string, o: OrphanInfo): WarningRecord {
  return { type: 'warning', during: 'list', item: o.path, domain, unit: orphanUnitName(orphanName(o)), message: `not archived: a ${o.file_type} entry, not a file or dir` }
}

export function* sourceUnits(projects: ProjectInfo[], orphans: OrphanInfo[], o: UnitOptions): Generator<UnitPlan> {
  for (const p of projects) yield projectSourceUnit(p, o.clara, o.appCommit, o.audio?.get(p.id))
  for (const [name, group] of byName(orphans, ['content', 'images'])) {
    const plan = orphanSourceUnit(name, group.filter((g) => g.file_type !== 'other'), o.clara, o.appCommit)
    plan.warnings.push(...group.filter((g) => g.file_type === 'other').map((g) => skipped(SOURCE_DOMAIN, g)))
    yield plan
  }
}

export function* compiledUnits(projects: ProjectInfo[], orphans: OrphanInfo[], o: UnitOptions): Generator<UnitPlan> {
  // every gloss id, as the server's image_gloss_file view resolves any id of the table
  const gloss = glossTable(o.clara, o.gloss ?? [])
  for (const p of projects) {
    const types = o.textTypes.filter((t) => p.places.some((x) => x.kind === `compiled_${t}` && x.exists))
    if (!types.length) continue
    const meta = { ...projectMetadata(p), app_commit: o.appCommit }
    yield { unit: compiledUnit(String(p.id), String(p.id), types.map((type) => ({ type })), o.bundle, o.clara, meta, p.rows_sha256, gloss), warnings: [] }
  }
  for (const [name, group] of byName(orphans, o.textTypes.map((t) => `compiled_${t}`))) {
    const kept = group.filter((g) => g.file_type !== 'other')
    const rendered = TEXT_TYPES.flatMap((type) => kept.filter((g) => g.kind === `compiled_${type}`).map((g) => ({ type, file: g.file_type !== 'dir' })))
    const warnings = group.filter((g) => g.file_type === 'other').map((g) => skipped(COMPILED_DOMAIN, g))
    const meta = { orphan: true, ...nameFields(name), paths: kept.map((g) => g.path), app_commit: o.appCommit }
    yield { unit: rendered.length ? compiledUnit(orphanUnitName(name), name, rendered, o.bundle, o.clara, meta, undefined, gloss) : null, warnings }
  }
}
