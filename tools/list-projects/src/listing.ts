/** Read the DB and the disk once: the selected project records and orphan records. */
import type { Db, Row } from '@clara/shared/db'
import { loadRows } from './project-rows.js'
import { projectRecord, type ProjectInfo } from './project-record.js'
import { findOrphans, orphanName, orphanUnitName, type OrphanInfo } from './orphans.js'
import { orphanSelected, projectSelected, selection } from './selection.js'

export interface Listing {
  projects: ProjectInfo[]
  orphans: OrphanInfo[]
  /** --only values that matched nothing */
  unmatched: string[]
  /** picture-gloss rows (compiled units resolve gloss URLs with them) */
  gloss: Row[]
}

export async function listing(db: Db, clara: string, only: string[], skip: string[]): Promise<Listing> {
  const rows = await loadRows(db)
  const all = rows.projects.map((p) => projectRecord(p, clara))
  // orphans are judged against every row, whatever the selection
  const orphans = await findOrphans(clara, {
    ids: new Set(all.map((p) => String(p.id))),
    internalIds: new Set(all.map((p) => p.internal_id)),
    imagesByIid: rows.imagesByIid,
    descriptionsByIid: rows.descriptionsByIid,
  })
  const sel = selection(only, skip)
  const projects = all.filter((p) => projectSelected(sel, p.id, p.internal_id))
  const unit = (o: OrphanInfo) => orphanUnitName(orphanName(o))
  const picked = orphans.filter((o) => orphanSelected(sel, o.name, o.path, unit(o)))
  const seen = new Set([...projects.flatMap((p) => [String(p.id), p.internal_id]), ...picked.flatMap((o) => [o.name, `orphan-${o.name}`, o.path, unit(o)])])
  return { projects, orphans: picked, unmatched: only.filter((v) => !seen.has(v)), gloss: rows.gloss }
}
