/**
 * What clara-restore knows about C-LARA (clara-facts §1.7, §2.2, §8.1–§8.2, §8.12): the data
 * folders that identify a path, the DB columns and JSON fields that hold paths, the varchar
 * limits a rewrite must respect, and the folders a fresh install needs. The one place in this
 * tool that names C-LARA's layout.
 */

/** A path holding one of these folders points into a C-LARA root: whatever precedes it is that root. */
export const DATA_FOLDERS = [
  'clara_content',
  'audio/tts_repository_orm',
  'images/image_repository_orm',
  'gloss_images/image_repository_orm',
  'prompt_templates',
] as const

/** A DB column that holds file paths: rewritten on restore. `max` is its varchar limit, if any. */
export interface PathColumn {
  table: string
  column: string
  key: string
  max?: number
}

export const PATH_COLUMNS: PathColumn[] = [
  { table: 'orm_audio_metadata', column: 'file_path', key: 'id' },
  { table: 'orm_image_metadata', column: 'file_path', key: 'id' },
  { table: 'clara_app_archivedimagemetadata', column: 'file_path', key: 'id', max: 200 },
  { table: 'orm_image_gloss_metadata', column: 'file_path', key: 'id' },
]

/** A JSON file (relative to the root) whose path fields are rewritten. */
export interface PathJson {
  /** matched against the path relative to the root */
  pattern: RegExp
  /** a list of objects (`file` in each) or one object (`project_dir`) */
  shape: 'list' | 'object'
  field: string
}

export const PATH_JSON: PathJson[] = [
  { pattern: /^clara_content\/[^/]+\/metadata\.json$/, shape: 'list', field: 'file' },
  { pattern: /^clara_content\/[^/]+\/coherent_images_v2_project_dir\/params\.json$/, shape: 'object', field: 'project_dir' },
  { pattern: /^prompt_templates\/[^/]+\/metadata\.json$/, shape: 'list', field: 'file' },
]

/** The JSON rule for a root-relative path, if it is one of the rewritten files. */
export function pathJsonFor(rel: string): PathJson | undefined {
  return PATH_JSON.find((j) => j.pattern.test(rel))
}

/** Folders a fresh install needs (facts §8.12). */
export const PREPARE_DIRS = ['logs', 'tmp', 'mediafiles']

/** Where the audio shards go when the index does not say (`[audio_repository] base_dir_orm`). */
export const AUDIO_ROOT = 'audio/tts_repository_orm'
/** Where the retired audio SQLite files live (`[audio_repository] db_file(_local)`). */
export const AUDIO_DB_DIR = 'audio'
/** Infra is restored here for review, never into /etc. */
export const INFRA_DIR = 'restored_infra'
/** The Django app whose migrations are compared with a checkout (`--app-dir`). */
export const APP_LABEL = 'clara_app'
export const MIGRATIONS_DIR = 'clara_app/migrations'

/** The compiled roots (by project id): compiled pages are checked for unresolved media here. */
export const COMPILED_ROOTS = ['clara_compiled', 'clara_compiled_phonetic', 'clara_compiled_for_questionnaire']
