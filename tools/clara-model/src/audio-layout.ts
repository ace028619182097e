/**
 * Where page-level audio and `serve_audio_file` look for an `orm_audio_metadata` row's file
 * (clara-facts §1.6): the engine/language/voice layout plus the basename of `file_path`, under the
 * audio folder, whatever `file_path` itself says.
 */
import { AUDIO_FOLDER, claraRelative } from './data-folders.js'

/** The columns that place a row in the layout. */
export const AUDIO_LAYOUT_COLUMNS = ['engine_id', 'language_id', 'voice_id'] as const

export interface AudioLayoutRow {
  file_path?: string | null
  engine_id?: string | null
  language_id?: string | null
  voice_id?: string | null
}

/** `<engine>/<language>/<voice>/<basename>`, relative to the audio folder; null when a part is missing. */
export function audioLayoutKey(row: AudioLayoutRow): string | null {
  const p = (row.file_path ?? '').replace(/\\/g, '/')
  const base = p.slice(p.lastIndexOf('/') + 1)
  if (!base || !row.engine_id || !row.language_id || !row.voice_id) return null
  return `${row.engine_id}/${row.language_id}/${row.voice_id}/${base}`
}

/** The same, relative to `$CLARA`. */
export function audioLayoutPath(row: AudioLayoutRow): string | null {
  const key = audioLayoutKey(row)
  return key && `${AUDIO_FOLDER}/${key}`
}

/**
 * Where a row's file may be, relative to `$CLARA`, in the order to try: the path `file_path` names
 * (any root or style), then the engine/language/voice layout with its basename.
 */
export function audioFileCandidates(row: AudioLayoutRow): string[] {
  const list = [claraRelative(row.file_path), audioLayoutPath(row)].filter((p): p is string => Boolean(p))
  return [...new Set(list)]
}
