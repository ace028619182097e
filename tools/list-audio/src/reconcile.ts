/** Compare the audio rows with the files in the cache: rows without a file, files without a row. */
import { audioLayoutKey } from '@clara/clara-model/audio-layout'
import { AUDIO_FOLDER, folderRelative } from '@clara/clara-model/data-folders'

/** An `orm_audio_metadata` row, as far as the cache is concerned. */
export interface AudioRow {
  id: number
  engine_id: string
  language_id: string
  voice_id: string
  file_path: string | null
}

export interface AudioMissing {
  type: 'audio_missing'
  id: number
  file_path: string | null
  /** the cache path looked for (null when file_path points outside any audio cache) */
  expected_path: string | null
  reason: 'no file' | 'path outside the audio cache'
  [field: string]: unknown
}

export interface AudioUnreferenced {
  type: 'audio_unreferenced'
  path: string
  [field: string]: unknown
}

export interface Reconciled {
  missing: AudioMissing[]
  unreferenced: AudioUnreferenced[]
  /** rows whose file was found only through the engine/language/voice layout */
  by_layout: number
}

/** `files`: the cache's paths relative to its root. Output is ordered by row id and by path. */
export function reconcile(rows: AudioRow[], files: string[]): Reconciled {
  const present = new Set(files)
  const referenced = new Set<string>()
  const missing: AudioMissing[] = []
  let byLayout = 0
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    const key = folderRelative(row.file_path, AUDIO_FOLDER)
    if (key && present.has(key)) {
      referenced.add(key)
      continue
    }
    const alt = audioLayoutKey(row)
    if (alt && present.has(alt)) {
      referenced.add(alt)
      byLayout++
      continue
    }
    missing.push({ type: 'audio_missing', id: row.id, file_path: row.file_path, expected_path: key, reason: key ? 'no file' : 'path outside the audio cache' })
  }
  const unreferenced = files.filter((f) => !referenced.has(f)).map((path): AudioUnreferenced => ({ type: 'audio_unreferenced', path }))
  return { missing, unreferenced, by_layout: byLayout }
}
