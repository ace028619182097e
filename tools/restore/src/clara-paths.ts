/**
 * What clara-restore alone knows about C-LARA (clara-facts §2.2, §8.1, §8.12): the JSON fields
 * that hold paths, and the folders a fresh install needs. The data folders, path styles and DB
 * path columns every tool shares are in `@clara/clara-model`.
 */

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

/** Where the retired audio SQLite files live (`[audio_repository] db_file(_local)`). */
export const AUDIO_DB_DIR = 'audio'
/** Infra is restored here, for review, never into /etc (clara-model's restore places). */
export { INFRA_FOLDER as INFRA_DIR } from '@clara/clara-model/restore-places'
/** The Django app whose migrations are compared with a checkout (`--app-dir`). */
export const APP_LABEL = 'clara_app'
export const MIGRATIONS_DIR = 'clara_app/migrations'
