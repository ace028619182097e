/**
 * Which TTS voice C-LARA's audio annotator asks for when it has no preference (clara_tts_api.py:
 * `get_tts_engine`, `get_default_voice`, `get_language_id` at fa5b553). The engines are tried in the
 * order ABAIR, Google, OpenAI, Eleven Labs; the first one that lists the language wins. Google's
 * word voice is always `default`; otherwise the first voice of the language. Only the data these
 * rules read is kept: per language, its language id and first voice.
 */

/** [language, language_id, first voice] of Google's table (commented-out languages left out). */
const GOOGLE: [string, string, string][] = [
  ['afrikaans', 'af-ZA', 'default'],
  ['arabic', 'ar-XA', 'ar-XA-Wavenet-B'],
  ['american english', 'en-US', 'en-US-Neural2-A'],
  ['australian english', 'en-AU', 'en-AU-Neural2-D'],
  ['basque', 'eu-ES', 'default'],
  ['bengali', 'bn-IN', 'bn-IN-Wavenet-B'],
  ['catalan', 'ca-ES', 'default'],
  ['cantonese', 'yue-HK', 'yue-HK-Standard-D'],
  ['chinese', 'cmn-CN', 'cmn-CN-Wavenet-C'],
  ['mandarin', 'cmn-CN', 'cmn-CN-Wavenet-C'],
  ['taiwanese', 'cmn-TW', 'cmn-TW-Wavenet-B'],
  ['czech', 'cs-CZ', 'cs-CZ-Wavenet-A'],
  ['danish', 'da-DK', 'da-DK-Neural2-D'],
  ['dutch', 'nl-NL', 'nl-NL-Wavenet-C'],
  ['english', 'en-GB', 'en-GB-News-J'],
  ['filipino', 'fil-PH', 'fil-PH-Wavenet-C'],
  ['finnish', 'fi-FI', 'i-FI-Wavenet-A'],
  ['french', 'fr-FR', 'fr-FR-Studio-D'],
  ['galician', 'gl-ES', 'default'],
  ['german', 'de-DE', 'de-DE-Studio-B'],
  ['greek', 'el-GR', 'el-GR-Wavenet-A'],
  ['gujarati', 'gu-IN', 'gu-IN-Wavenet-B'],
  ['hebrew', 'he-IL', 'he-IL-Wavenet-B'],
  ['hindi', 'hi-IN', 'hi-IN-Wavenet-B'],
  ['hungarian', 'hu-HU', 'hu-HU-Wavenet-A'],
  ['icelandic', 'is-IS', 'is-IS-Standard-B'],
  ['indonesian', 'id-ID', 'id-ID-Wavenet-B'],
  ['italian', 'it-IT', 'it-IT-Wavenet-D'],
  ['japanese', 'ja-JP', 'ja-JP-Neural2-C'],
  ['kannada', 'kn-IN', 'kn-IN-Wavenet-B'],
  ['korean', 'ko-KR', 'ko-KR-Neural2-C'],
  ['latvian', 'lv-LV', 'default'],
  ['lithuanian', 'lt-LT', 'default'],
  ['malay', 'ms-MY', 'ms-MY-Standard-D'],
  ['malayalam', 'ml-IN', 'ml-IN-Wavenet-B'],
  ['marathi', 'mr-IN', 'mr-IN-Wavenet-B'],
  ['norwegian', 'nb-NO', 'nb-NO-Wavenet-B'],
  ['polish', 'pl-PL', 'pl-PL-Standard-B'],
  ['portuguese', 'pt-PT', 'pt-PT-Wavenet-B'],
  ['punjabi', 'pa-IN', 'pa-IN-Wavenet-B'],
  ['romanian', 'ro-RO', 'ro-RO-Wavenet-A'],
  ['russian', 'ru-RU', 'ru-RU-Standard-D'],
  ['serbian', 'sr-RS', 'default'],
  ['slovak', 'sk-SK', 'sk-SK-Wavenet-A'],
  ['spanish', 'es-ES', 'es-ES-Neural2-F'],
  ['swedish', 'sv-SE', 'sv-SE-Wavenet-C'],
  ['tamil', 'ta-IN', 'ta-IN-Wavenet-B'],
]

/** OpenAI: the language name is its own id; the voices start with `onyx`. */
const OPENAI_LANGUAGES = [
  'afrikaans', 'arabic', 'armenian', 'azerbaijani', 'belarusian', 'bosnian', 'bulgarian', 'catalan', 'chinese', 'croatian',
  'czech', 'danish', 'dutch', 'english', 'estonian', 'finnish', 'french', 'galician', 'german', 'greek', 'hebrew', 'hindi',
  'hungarian', 'icelandic', 'indonesian', 'italian', 'japanese', 'kannada', 'kazakh', 'korean', 'latvian', 'lithuanian',
  'macedonian', 'malay', 'marathi', 'māori', 'nepali', 'norwegian', 'persian', 'polish', 'portuguese', 'romanian', 'russian',
  'serbian', 'slovak', 'slovenian', 'spanish', 'swahili', 'swedish', 'tagalog', 'tamil', 'thai', 'turkish', 'ukrainian',
  'urdu', 'vietnamese', 'welsh',
]

/** `SUBSTITUTE_AUDIO_LANGUAGE` (constants.py): the language audio is looked up under. */
export const AUDIO_LANGUAGE_SUBSTITUTES: Record<string, string> = { 'old norse': 'icelandic' }

export function audioLanguage(l2: string): string {
  return AUDIO_LANGUAGE_SUBSTITUTES[l2] ?? l2
}

interface EngineEntry {
  engine: string
  language_id: string
  first_voice: string
}

/** The first engine (default order) that lists a language, or null. */
export function ttsEngineFor(language: string): EngineEntry | null {
  if (language === 'irish') return { engine: 'abair', language_id: 'ga-IE', first_voice: 'ga_UL_anb_nemo' }
  const g = GOOGLE.find(([name]) => name === language)
  if (g) return { engine: 'google', language_id: g[1], first_voice: g[2] }
  if (OPENAI_LANGUAGES.includes(language)) return { engine: 'openai', language_id: language, first_voice: 'onyx' }
  if (language === 'romanian') return { engine: 'eleven_labs', language_id: 'ro-RO', first_voice: 'XS5fYqdP9mR1As3yhU5V' }
  return null
}

/** The (engine, language, voice) an audio lookup uses; engine null when no engine serves the language. */
export interface VoiceKey {
  engine_id: string | null
  language_id: string | null
  voice_id: string | null
}

/** The TTS voice for words (`'words'`) or for segments (`'sentences'`), as `AudioAnnotator` picks it. */
export function ttsVoice(language: string, use: 'words' | 'sentences'): VoiceKey {
  const e = ttsEngineFor(language)
  if (!e) return { engine_id: null, language_id: null, voice_id: null }
  const voice = e.engine === 'google' && use === 'words' ? 'default' : e.first_voice
  return { engine_id: e.engine, language_id: e.language_id, voice_id: voice }
}

/** Human audio: `human_voice/<language>/<voice talent>`. */
export function humanVoice(language: string, voice: string): VoiceKey {
  return { engine_id: 'human_voice', language_id: language, voice_id: voice }
}
