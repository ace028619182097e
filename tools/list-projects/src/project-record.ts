/** The `project` record: one clara_app_claraproject row with everything the DB and disk say about it. */
import type { Place, ProjectRecord } from '@clara/shared/records'
import type { ProjectRows } from './project-rows.js'
import { projectPlaces } from './places.js'
import { canonicalSha256 } from './fingerprint.js'

export interface ProjectInfo extends ProjectRecord {
  owner: Record<string, unknown> | null
  permissions: ProjectRows['permissions']
  content: Record<string, unknown>[]
  rows: ProjectRows['rows']
  images: Record<string, unknown>[]
  image_descriptions: Record<string, unknown>[]
  places: Place[]
  /** sha256 of the canonical JSON of the project's DB rows (changes when any of them does) */
  rows_sha256: string
}

/** The DB side of a project, as hashed for incremental runs and stored in metadata.json. */
export function dbRows(p: ProjectRows): Record<string, unknown> {
  return {
    claraproject: p.project,
    owner: p.owner,
    permissions: p.permissions,
    content: p.content,
    ...p.rows,
    image_metadata: p.images,
    image_description: p.image_descriptions,
  }
}

export function projectRecord(p: ProjectRows, clara: string): ProjectInfo {
  const r = p.project
  const id = Number(r.id)
  const iid = String(r.internal_id)
  const head = { type: 'project' as const, id, title: String(r.title), internal_id: iid, l1: String(r.l1), l2: String(r.l2) }
  return {
    ...head,
    ...r,
    ...head,
    owner: p.owner,
    permissions: p.permissions,
    content: p.content,
    rows: p.rows,
    images: p.images,
    image_descriptions: p.image_descriptions,
    places: projectPlaces(clara, id, iid),
    rows_sha256: canonicalSha256(dbRows(p)),
  }
}
