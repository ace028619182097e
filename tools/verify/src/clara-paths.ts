/**
 * C-LARA knowledge for the reference check (clara-facts §1.7, §5): which DB columns hold file
 * paths, and the data folders a path is recognised by, whatever root, style or host it was
 * written on (POSIX absolute under any old root, Windows `C:/…` or `C:\…`, literal `$CLARA/…`,
 * S3 relative keys).
 */

/** Data folders, relative to `$CLARA`. The gloss folder comes first: it ends like the image one. */
export const DATA_FOLDERS = ['gloss_images/image_repository_orm', 'audio/tts_repository_orm', 'images/image_repository_orm'] as const
export const AUDIO_FOLDER = 'audio/tts_repository_orm'

export interface PathColumn {
  table: string
  /** columns read besides id and file_path */
  extra: string[]
}

/** The tables whose `file_path` must name a file the backup holds. */
export const PATH_TABLES: PathColumn[] = [
  { table: 'orm_audio_metadata', extra: ['engine_id', 'language_id', 'voice_id'] },
  { table: 'orm_image_metadata', extra: ['project_id'] },
  { table: 'orm_image_gloss_metadata', extra: [] },
]

export const PROJECT_TABLE = 'clara_app_claraproject'

/**
 * The `$CLARA`-relative path a stored file path names (`audio/tts_repository_orm/google/…`),
 * found by the first data folder that starts a path segment; null when it names none.
 */
export function claraRelative(filePath: string): string | null {
  const p = filePath.replace(/\\/g, '/').replace(/\/{2,}/g, '/')
  let best: { at: number; folder: string } | null = null
  for (const folder of DATA_FOLDERS) {
    for (let i = p.indexOf(folder + '/'); i >= 0; i = p.indexOf(folder + '/', i + 1)) {
      if (i > 0 && p[i - 1] !== '/') continue
      if (!best || i < best.at) best = { at: i, folder }
      break
    }
  }
  if (!best) return null
  const rel = p.slice(best.at)
  return rel.split('/').includes('..') || rel.length <= best.folder.length + 1 ? null : rel
}

/**
 * Where C-LARA's page-level audio looks for a row's file when its path does not resolve:
 * `<engine>/<language>/<voice>/<basename>` under the audio folder (clara-facts §1.6).
 */
export function audioLayoutPath(row: Record<string, string | null>): string | null {
  const p = (row.file_path ?? '').replace(/\\/g, '/')
  const base = p.split('/').pop()
  if (!base || !row.engine_id || !row.language_id || !row.voice_id) return null
  return `${AUDIO_FOLDER}/${row.engine_id}/${row.language_id}/${row.voice_id}/${base}`
}
