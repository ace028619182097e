/**
 * DB↔file references (verdict `reference`): every `file_path` in the path tables, read from the
 * dump, must name a file some unit or shard holds. A row whose file was already missing when the
 * backup ran (listed in audio_cache's reconciliation report) is a known-missing warning; so is an
 * image row of a project that no longer exists (no project can show it, and no unit was made for
 * it); so is any file of a run that covers only part of the install (its manifest's selection:
 * --only, --skip, --domains). Any other missing file is a mismatch.
 */
import { AUDIO_LAYOUT_COLUMNS, audioLayoutPath } from '@clara/clara-model/audio-layout'
import { claraRelative } from '@clara/clara-model/data-folders'
import { AUDIO_TABLE, GLOSS_IMAGE_TABLE, IMAGE_TABLE } from '@clara/clara-model/path-columns'
import type { TableRows } from './dump-rows.js'
import type { Inventory } from './inventory.js'
import type { Verdicts } from './verdicts.js'

/**
 * The tables whose `file_path` must name a file the backup holds, and the columns read besides
 * `id` and `file_path`. Archived image versions (`ARCHIVED_IMAGE_TABLE`) are not checked.
 */
export const REFERENCE_TABLES: { table: string; extra: string[] }[] = [
  { table: AUDIO_TABLE, extra: [...AUDIO_LAYOUT_COLUMNS] },
  { table: IMAGE_TABLE, extra: ['project_id'] },
  { table: GLOSS_IMAGE_TABLE, extra: [] },
]

export interface RefContext {
  inventory: Inventory
  /** audio row ids the backup's own report listed as missing */
  knownMissingAudio: Set<string>
  /** internal_ids of the project rows */
  projects: Set<string>
  /** the run covers only part of the install (`--domains db,infra`): a file not in it is expected, or null */
  partial?: string | null
}

interface Miss {
  id: string
  path: string
  why: string
  known?: string
}

function lookup(table: string, row: Record<string, string | null>, c: RefContext): Miss | null {
  const fp = row.file_path ?? ''
  const rel = claraRelative(fp)
  if (rel && c.inventory.paths.has(rel)) return null
  if (table === AUDIO_TABLE) {
    const alt = audioLayoutPath(row)
    if (alt && c.inventory.paths.has(alt)) return null
  }
  const miss: Miss = { id: String(row.id), path: fp, why: rel ? `${rel} is in no unit or shard` : 'not under any C-LARA data folder' }
  if (table === AUDIO_TABLE && c.knownMissingAudio.has(miss.id)) miss.known = 'already missing when the backup ran (audio_cache/reports.ndjson)'
  if (table === IMAGE_TABLE && row.project_id && !c.projects.has(row.project_id)) miss.known = `image row of ${row.project_id}, which is not a project (orphan row)`
  if (!miss.known && c.partial) miss.known = `the run covers only part of the install (${c.partial})`
  return miss
}

/** One verdict per missing reference, then one per table. */
export async function checkReferences(rows: Map<string, TableRows | null>, c: RefContext, v: Verdicts): Promise<void> {
  for (const { table } of REFERENCE_TABLES) {
    const t = rows.get(table)
    if (!t) {
      await v.add('reference', table, true, 'table not in the dump', { warning: true })
      continue
    }
    let refs = 0
    let known = 0
    let missing = 0
    for (const row of t) {
      if (!row.file_path) continue
      refs++
      const m = lookup(table, row, c)
      if (!m) continue
      if (m.known) known++
      else missing++
      const item = `${table}#${m.id}`
      if (m.known) await v.add('reference', item, true, `${m.path}: ${m.why}; ${m.known}`, { warning: true, known: true, file_path: m.path })
      else await v.add('reference', item, false, `${m.path}: ${m.why}`, { file_path: m.path })
    }
    const msg = `${refs} file paths: ${refs - known - missing} in the backup${known ? `, ${known} known missing` : ''}${missing ? `, ${missing} MISSING` : ''}`
    await v.add('reference', table, missing === 0, msg, { references: refs, known_missing: known, missing })
  }
}
