/**
 * Test helper (not a test): export-audio's items, plans and metadata as they were before issue 16
 * made them faster (every word and segment item, duplicates dropped from the filled-in items), on
 * the reference internaliser, kept verbatim as what src/export-audio.ts must equal (test/clara-text-same.ts).
 */
import type { Page, TextVersions } from '../src/clara-text.js'
import { fileBase, type AudioItem, type AudioLookup, type AudioPlan, type AudioQuery, type AudioType, type ProjectAudio } from '../src/export-audio.js'
import { audioLanguage, humanVoice, ttsVoice, type VoiceKey } from '../src/tts-voices.js'
import { internalisedText, segmentText, W } from './clara-text-reference.js'

/** `canonical_word_for_audio` */
export const canonicalWord = (s: string) => s.toLowerCase()

/** `canonical_text_for_audio` */
export function canonicalText(s: string, phonetic: boolean): string {
  if (phonetic) return canonicalWord(s.trim())
  return s.replace(/<[^>]*>/g, '').replace(/\s+/gu, ' ').trim()
}

const TAG = new RegExp(`<\\/?${W}+>`, 'gu')

/** `string_has_no_audio_content` */
export function hasNoAudio(s: string): boolean {
  const rest = s.replace(TAG, '')
  return !rest || /^[\p{P} \n|]*$/u.test(rest)
}

/** The segment and word items of `_get_all_audio_data` (no context: the export never asks for it). */
export function audioItems(pages: Page[], phonetic: boolean): { words: AudioItem[]; segments: AudioItem[] } {
  const words: AudioItem[] = []
  const segments: AudioItem[] = []
  for (const page of pages) {
    for (const seg of page.segments) {
      const plain = segmentText(seg)
      const canonical = canonicalText(plain, phonetic)
      if (!hasNoAudio(canonical)) segments.push({ text: plain, canonical_text: canonical, context: '' })
      for (const e of seg.elements) {
        if (e.type !== 'Word') continue
        let said: unknown
        if (phonetic) said = e.annotations.phonetic
        else said = e.annotations.mwe_text ?? e.content
        if (typeof said === 'string' && said && !hasNoAudio(said)) words.push({ text: said, canonical_text: canonicalWord(said), context: '' })
      }
    }
  }
  return { words, segments }
}

/**
 * What C-LARA's export asks for: the normal text (gloss and lemma needed) and, when the phonetic
 * text exists and the project has a phonetic voice, the phonetic one. A text that does not
 * internalise makes `get_audio_metadata` return `[]`, so no directory (as when a version is missing).
 */
export function audioPlans(a: ProjectAudio, texts: TextVersions): AudioPlan[] {
  const lang = audioLanguage(a.l2)
  const plans: AudioPlan[] = []
  const pick = (type: AudioType, voice: string | null, use: 'words' | 'sentences') => (type === 'human' && voice ? humanVoice(lang, voice) : ttsVoice(lang, use))
  const normal = internalisedOrNull(texts, false)
  if (normal) {
    const { words, segments } = audioItems(normal, false)
    plans.push({
      dir: 'audio', phonetic: false,
      words: { voice: pick(a.audio_type_for_words, a.human_voice_id, 'words'), items: words },
      segments: { voice: pick(a.audio_type_for_segments, a.human_voice_id, 'sentences'), items: segments },
    })
  }
  if (texts.phonetic !== undefined && a.human_voice_id_phonetic) {
    const phonetic = internalisedOrNull(texts, true)
    if (phonetic) {
      const { words, segments } = audioItems(phonetic, true)
      // phonetic: words are phonemes in the phonetic voice; "segments" are words, looked up like TTS words
      plans.push({
        dir: 'phonetic_audio', phonetic: true,
        words: { voice: humanVoice(lang, a.human_voice_id_phonetic), items: words },
        segments: { voice: pick(a.audio_type_for_words, a.human_voice_id_phonetic, 'words'), items: segments },
      })
    }
  }
  return plans
}

function internalisedOrNull(texts: TextVersions, phonetic: boolean): Page[] | null {
  try {
    return internalisedText(texts, phonetic)
  } catch {
    return null
  }
}

/** `remove_duplicates_general`: the first of equal items. */
function unique(items: AudioItem[]): AudioItem[] {
  const seen = new Set<string>()
  return items.filter((i) => {
    const k = JSON.stringify([i.text, i.canonical_text, i.context, i.file_path ?? null])
    return !seen.has(k) && (seen.add(k), true)
  })
}

/**
 * The JSON of one metadata.json: items with `file_path` filled in (null when no row), duplicate
 * words (and, phonetic, segments) dropped, `file` set where `exists` says the file is there.
 */
export function audioMetadata(plan: AudioPlan, words: AudioLookup, segments: AudioLookup, exists: (filePath: string, voice: VoiceKey) => boolean) {
  const fill = (q: AudioQuery, found: AudioLookup) => q.items.map((i): AudioItem => ({ ...i, file_path: found.get(i.canonical_text) ?? null }))
  const out = { words: unique(fill(plan.words, words)), segments: fill(plan.segments, segments) }
  if (plan.phonetic) out.segments = unique(out.segments)
  for (const [q, list] of [[plan.words, out.words], [plan.segments, out.segments]] as const) {
    for (const i of list) if (i.file_path && exists(i.file_path, q.voice)) i.file = fileBase(i.file_path)
  }
  return out
}
