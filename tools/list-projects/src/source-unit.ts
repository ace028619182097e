/**
 * `source_exports/<id>/source.zip` in C-LARA's own import layout (clara-facts §4): `metadata.json`
 * (10 global keys), `project_dir/` (verbatim clara_content/<iid>), `images/metadata.json` plus the
 * image files, `image_descriptions/metadata.json`. The whole image repository dir rides along under
 * `image_repository/`, so a restore gets it back byte for byte.
 */
import type { Row } from '@clara/shared/db'
import type { ArchiveSpec, InlineEntry, UnitRecord, UnitSource, WarningRecord } from '@clara/shared/records'
import { CONTENT_FOLDER, IMAGE_FOLDER } from '@clara/clara-model/data-folders'
import type { AudioMembers } from './audio-export.js'
import { storedDataEntry } from './stored-data.js'
import { SOURCE_EXCLUDES, contentPath } from './clara-layout.js'
import { DEFAULT_PROJECT, globalMetadata } from './global-metadata.js'
import { descriptionItems, imageExport } from './image-items.js'
import { dirSource, fileSource, isDir } from './places.js'
import type { ProjectInfo } from './project-record.js'
import { nameFields, orphanName, orphanPath, orphanUnitName, type OrphanInfo } from './orphans.js'
import { canonicalSha256 } from './fingerprint.js'

export const SOURCE_DOMAIN = 'source_exports'
/** Archive path prefixes inside source.zip. */
export const PROJECT_DIR = 'project_dir/'
export const IMAGE_REPOSITORY = 'image_repository/'

export interface UnitPlan {
  /** null when nothing could be archived (only warnings) */
  unit: UnitRecord | null
  warnings: WarningRecord[]
}

interface SourceParts {
  clara: string
  /** the internal_id, or an orphan's name (its bytes when they are not UTF-8) */
  iid: string | Buffer
  project: Row
  human: Row | null
  phonetic: Row | null
  images: Row[]
  descriptions: Row[]
  /** include project_dir/ and image_repository/ (when the dirs exist) */
  withContent: boolean
  withRepository: boolean
  /** members C-LARA's export derives from the DB (stored_data.json, audio) */
  derived?: { entries: InlineEntry[]; sources: UnitSource[] }
}

/** The one `source` archive: inline JSON entries, the project dir, image files, the image repository. */
export function sourceArchive(p: SourceParts): ArchiveSpec {
  const sources: UnitSource[] = []
  const d = p.derived ?? { entries: [], sources: [] }
  if (p.withContent) sources.push(dirSource(p.clara, CONTENT_FOLDER, p.iid, PROJECT_DIR, SOURCE_EXCLUDES))
  sources.push(...d.sources)
  // a name that is not UTF-8 owns no image rows (they hold text), so its lossy text names none
  const img = imageExport(p.clara, String(p.iid), p.images)
  sources.push(...img.sources)
  if (p.withRepository) sources.push(dirSource(p.clara, IMAGE_FOLDER, p.iid, IMAGE_REPOSITORY, SOURCE_EXCLUDES))
  return {
    name: 'source',
    sources,
    entries: [
      { path: 'metadata.json', json: globalMetadata(p.project, p.human, p.phonetic) },
      { path: 'images/metadata.json', json: img.items },
      { path: 'image_descriptions/metadata.json', json: descriptionItems(p.descriptions) },
      ...d.entries,
    ],
  }
}

function missing(unit: string, rel: string): WarningRecord {
  return { type: 'warning', during: 'list', item: unit, domain: SOURCE_DOMAIN, unit, message: `${rel} does not exist: the unit holds only the DB side` }
}

/** The source unit of a project row (`audio`: its audio members, when they were looked up). */
export function projectSourceUnit(p: ProjectInfo, clara: string, appCommit: string | null, audio?: AudioMembers): UnitPlan {
  const unit = String(p.id)
  const has = (kind: string) => p.places.some((x) => x.kind === kind && x.exists)
  const stored = storedDataEntry(clara, p, has('content'))
  const derived = {
    entries: [...(stored.entry ? [stored.entry] : []), ...(audio?.entries ?? [])],
    sources: audio?.sources ?? [],
  }
  const archive = sourceArchive({
    clara, iid: p.internal_id, project: p, human: p.rows.humanaudioinfo, phonetic: p.rows.phonetichumanaudioinfo,
    images: p.images, descriptions: p.image_descriptions, withContent: has('content'), withRepository: has('images'), derived,
  })
  const warnings = has('content') ? [] : [missing(unit, contentPath(p.internal_id))]
  if (audio?.problem) warnings.push({ type: 'warning', during: 'list', item: contentPath(p.internal_id), domain: SOURCE_DOMAIN, unit, message: audio.problem })
  if (stored.differs) warnings.push({ type: 'warning', during: 'list', item: `${contentPath(p.internal_id)}/stored_data.json`, domain: SOURCE_DOMAIN, unit, message: stored.differs })
  return {
    unit: {
      type: 'unit', domain: SOURCE_DOMAIN, unit, archives: [archive],
      metadata: { ...projectMetadata(p), app_commit: appCommit },
      fingerprint_extra: p.rows_sha256,
    },
    warnings,
  }
}

/** What metadata.json says about a project beside the zip: who, what, and its DB rows. */
export function projectMetadata(p: ProjectInfo): Record<string, unknown> {
  const { type: _t, places, rows_sha256: _s, owner, permissions, content, rows, images, image_descriptions, ...columns } = p
  return {
    id: p.id, title: p.title, internal_id: p.internal_id, l1: p.l1, l2: p.l2, owner, permissions, places,
    db_rows: { claraproject: columns, content, ...rows, image_metadata: images, image_description: image_descriptions },
  }
}

/** The source unit of the content and/or image orphans that share one name (its bytes when it is not UTF-8). */
export function orphanSourceUnit(name: string | Buffer, orphans: OrphanInfo[], clara: string, appCommit: string | null): UnitPlan {
  const content = orphans.find((o) => o.kind === 'content' && o.file_type === 'dir')
  const images = orphans.find((o) => o.kind === 'images' && o.file_type === 'dir')
  const rows = content ?? images
  const archive = sourceArchive({
    clara, iid: name, project: DEFAULT_PROJECT, human: null, phonetic: null, images: rows?.images ?? [], descriptions: rows?.image_descriptions ?? [],
    withContent: Boolean(content && isDir(clara, orphanPath(content))), withRepository: Boolean(images && isDir(clara, orphanPath(images))),
  })
  // a stray file (not a project dir) is kept as it is, without C-LARA's import layout around it
  if (!content && !images) archive.sources = []
  if (!content && !images) delete archive.entries
  for (const o of orphans) if (o.file_type === 'file' || o.file_type === 'symlink') archive.sources.push(fileSource(clara, orphanPath(o), orphanName(o)))
  const db = { image_metadata: rows?.images ?? [], image_description: rows?.image_descriptions ?? [] }
  return {
    unit: {
      type: 'unit', domain: SOURCE_DOMAIN, unit: orphanUnitName(name), archives: [archive],
      metadata: { orphan: true, ...nameFields(name), paths: orphans.map((o) => o.path), db_rows: db, app_commit: appCommit },
      fingerprint_extra: canonicalSha256(db),
    },
    warnings: [],
  }
}
