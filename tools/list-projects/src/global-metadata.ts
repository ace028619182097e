/**
 * The top-level `metadata.json` of C-LARA's export zip (clara-facts §4): the 10 "global" keys, the
 * audio ones derived like `utils.audio_info_for_project`.
 */
import type { Row } from '@clara/shared/db'

export interface AudioInfo {
  human_voice_id: string | null
  human_voice_id_phonetic: string | null
  audio_type_for_words: 'human' | 'tts'
  audio_type_for_segments: 'human' | 'tts'
}

/** `audio_info_for_project`: a voice talent id makes human audio, per use_for_words/segments. */
export function audioInfo(human: Row | null, phonetic: Row | null): AudioInfo {
  const voice = human?.voice_talent_id ? String(human.voice_talent_id) : null
  return {
    human_voice_id: voice,
    human_voice_id_phonetic: phonetic?.voice_talent_id ? String(phonetic.voice_talent_id) : null,
    audio_type_for_words: voice && human?.use_for_words ? 'human' : 'tts',
    audio_type_for_segments: voice && human?.use_for_segments ? 'human' : 'tts',
  }
}

/** Django's defaults for a project with no row (used for orphan dirs, so they stay importable). */
export const DEFAULT_PROJECT: Row = {
  simple_clara_type: 'create_text_and_image',
  uses_coherent_image_set: false,
  uses_coherent_image_set_v2: false,
  use_translation_for_images: false,
  uses_picture_glossing: false,
  picture_gloss_style: '',
}

/** The 10 keys, in C-LARA's order. */
export function globalMetadata(project: Row, human: Row | null, phonetic: Row | null): Record<string, unknown> {
  const a = audioInfo(human, phonetic)
  return {
    simple_clara_type: project.simple_clara_type,
    uses_coherent_image_set: Boolean(project.uses_coherent_image_set),
    uses_coherent_image_set_v2: Boolean(project.uses_coherent_image_set_v2),
    use_translation_for_images: Boolean(project.use_translation_for_images),
    uses_picture_glossing: Boolean(project.uses_picture_glossing),
    picture_gloss_style: project.picture_gloss_style ?? '',
    human_voice_id: a.human_voice_id,
    human_voice_id_phonetic: a.human_voice_id_phonetic,
    audio_type_for_words: a.audio_type_for_words,
    audio_type_for_segments: a.audio_type_for_segments,
  }
}
