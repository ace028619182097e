/**
 * The DB columns that hold file paths (clara-facts §1.7, §8.1): rewritten when `$CLARA` moves,
 * checked against the files a backup holds. `max` is a varchar limit PostgreSQL enforces and
 * SQLite does not (§8.2), so a longer root can push a rewritten value over it.
 */

export const AUDIO_TABLE = 'orm_audio_metadata'
export const IMAGE_TABLE = 'orm_image_metadata'
/** Archived versions of project images (no `orm_` prefix). */
export const ARCHIVED_IMAGE_TABLE = 'clara_app_archivedimagemetadata'
export const GLOSS_IMAGE_TABLE = 'orm_image_gloss_metadata'

/** A DB column that holds file paths, the key of its rows, and its varchar limit if any. */
export interface PathColumn {
  table: string
  column: string
  key: string
  max?: number
}

export const PATH_COLUMNS: PathColumn[] = [
  { table: AUDIO_TABLE, column: 'file_path', key: 'id' },
  { table: IMAGE_TABLE, column: 'file_path', key: 'id' },
  { table: ARCHIVED_IMAGE_TABLE, column: 'file_path', key: 'id', max: 200 },
  { table: GLOSS_IMAGE_TABLE, column: 'file_path', key: 'id' },
]
