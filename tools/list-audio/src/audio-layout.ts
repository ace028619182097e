/**
 * Where C-LARA keeps TTS and human audio (clara-facts §5.1, §1.6, §1.7), and how a
 * `orm_audio_metadata.file_path` maps into that cache: whatever the path's style (absolute under
 * any old root, Windows, the literal `$CLARA/…`, an S3-style relative key), the part after
 * `audio/tts_repository_orm/` names the file.
 */

/** `[audio_repository] base_dir_orm`, relative to `$CLARA`. */
export const AUDIO_ROOT = 'audio/tts_repository_orm'

const MARKER = `${AUDIO_ROOT}/`

/** The cache-relative path a `file_path` names, or null when it is not under any audio cache. */
export function cacheKey(filePath: string | null | undefined): string | null {
  if (!filePath) return null
  const p = filePath.replace(/\\/g, '/').replace(/\/{2,}/g, '/')
  let i = p.indexOf(MARKER)
  while (i > 0 && p[i - 1] !== '/') i = p.indexOf(MARKER, i + 1)
  if (i < 0) return null
  const key = p.slice(i + MARKER.length)
  return key && !key.split('/').includes('..') ? key : null
}

export interface AudioRow {
  id: number
  engine_id: string
  language_id: string
  voice_id: string
  file_path: string | null
}

/**
 * Where page-level audio and `serve_audio_file` look for a row's file: the engine/language/voice
 * layout plus the basename of `file_path` (§1.6).
 */
export function layoutKey(row: AudioRow): string | null {
  const p = (row.file_path ?? '').replace(/\\/g, '/')
  const base = p.slice(p.lastIndexOf('/') + 1)
  if (!base || !row.engine_id || !row.language_id || !row.voice_id) return null
  return `${row.engine_id}/${row.language_id}/${row.voice_id}/${base}`
}
