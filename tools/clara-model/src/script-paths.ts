/**
 * The C-LARA paths the domain scripts hand to generic tools (clara-pgdump, clara-shard), relative to
 * `$CLARA`, by name: the scripts ask `clara-model paths NAME` instead of typing them.
 */
import { AUDIO_FOLDER, CONTENT_FOLDER, PROMPT_FOLDER } from './data-folders.js'

/** The legacy audio metadata databases beside the TTS repository (clara-facts §5.1). */
export const AUDIO_METADATA_DBS = ['audio/tts_metadata.db', 'audio/tts_metadata_local.db'] as const

export const SCRIPT_PATHS: Record<string, { paths: readonly string[]; note: string }> = {
  'audio-dbs': { paths: AUDIO_METADATA_DBS, note: 'the legacy audio metadata SQLite files (audio_cache/orm_db/)' },
  'audio-folder': { paths: [AUDIO_FOLDER], note: 'the TTS audio cache (audio_cache/archives/)' },
  'snapshot-projects': { paths: [CONTENT_FOLDER], note: 'the project trees of the full_projects_tree snapshot' },
  'snapshot-media': {
    paths: ['images', 'gloss_images', 'phonetic_lexicon', PROMPT_FOLDER, 'phonetic_orthography'],
    note: 'the media trees of the full_media_tree snapshot',
  },
}
