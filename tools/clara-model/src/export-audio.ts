/**
 * `audio/metadata.json` and `phonetic_audio/metadata.json` of C-LARA's own project export
 * (clara_export_import.make_export_zipfile_internal → `get_audio_metadata` → AudioAnnotator
 * `_get_all_audio_data`, then `copy_audio_data_to_tmp_dir`, at fa5b553): one item per segment and
 * per word of the internalised text, `{text, canonical_text, context, file_path}`, `file_path` from
 * the `orm_audio_metadata` row of the voice the annotator picks, and `file` (its basename) when that
 * file exists, the mp3 then riding along beside metadata.json.
 */
import { segmentText, spokenSegments, W, type Page, type PlainSegment, type Segment, type TextVersions } from './clara-text.js'
import { audioLanguage, humanVoice, ttsVoice, type VoiceKey } from './tts-voices.js'

export type AudioType = 'human' | 'tts'

/** What `audio_info_for_project` says about a project's voices. */
export interface ProjectAudio {
  l2: string
  human_voice_id: string | null
  human_voice_id_phonetic: string | null
  audio_type_for_words: AudioType
  audio_type_for_segments: AudioType
}

/** An item of `_get_all_audio_data`, before its lookup. */
export interface PlanItem {
  text: string
  canonical_text: string
  context: string
}

/** An item of metadata.json. */
export interface AudioItem extends PlanItem {
  file_path?: string | null
  file?: string
}

/**
 * One of the two lookups of `_get_all_audio_data`: the items and the voice they are looked up under
 * (from `audioPlans`, already without the duplicates `remove_duplicates_general` drops).
 */
export interface AudioQuery {
  voice: VoiceKey
  items: PlanItem[]
}

/** The audio part of an export: the two lookups, or null when C-LARA writes no such directory. */
export interface AudioPlan {
  /** `audio` or `phonetic_audio` */
  dir: string
  phonetic: boolean
  words: AudioQuery
  segments: AudioQuery
}

/** `canonical_word_for_audio` */
export const canonicalWord = (s: string) => s.toLowerCase()

/** `canonical_text_for_audio` */
export function canonicalText(s: string, phonetic: boolean): string {
  if (phonetic) return canonicalWord(s.trim())
  // each run of whitespace made one space: a run of two or more, or one that is not a space (a lone space stays)
  return s.replace(/<[^>]*>/g, '').replace(/\s{2,}|[^\S ]/gu, ' ').trim()
}

const TAG = new RegExp(`<\\/?${W}+>`, 'gu')

/** `string_has_no_audio_content` */
export function hasNoAudio(s: string): boolean {
  const rest = s.replace(TAG, '')
  return !rest || /^[\p{P} \n|]*$/u.test(rest)
}

/** The segment and word items of `_get_all_audio_data` (no context: the export never asks for it). */
export function audioItems(pages: Page[], phonetic: boolean): { words: PlanItem[]; segments: PlanItem[] } {
  return items(pages.flatMap((p) => p.segments), phonetic, false)
}

/**
 * The items; with `distinct`, only the first of equal words (and, phonetic, segments), as
 * `remove_duplicates_general` leaves them in metadata.json: everything in an item (canonical text,
 * context '', the file_path looked up by canonical text) follows from its text, so equal items are
 * items of equal text, and a word said again is neither tested nor kept.
 */
function items(segs: (Segment | PlainSegment)[], phonetic: boolean, distinct: boolean): { words: PlanItem[]; segments: PlanItem[] } {
  const words: PlanItem[] = []
  const segments: PlanItem[] = []
  const seenWords = new Set<string>()
  const seenSegments = new Set<string>()
  const word = (said: unknown) => {
    if (typeof said !== 'string' || !said) return
    if (distinct) {
      if (seenWords.has(said)) return
      seenWords.add(said)
    }
    if (!hasNoAudio(said)) words.push({ text: said, canonical_text: canonicalWord(said), context: '' })
  }
  for (const seg of segs) {
    const plain = 'elements' in seg ? segmentText(seg) : seg.text
    if (!(distinct && phonetic && seenSegments.has(plain))) {
      if (distinct && phonetic) seenSegments.add(plain)
      const canonical = canonicalText(plain, phonetic)
      if (!hasNoAudio(canonical)) segments.push({ text: plain, canonical_text: canonical, context: '' })
    }
    if (!('elements' in seg)) {
      // words without annotations: said as they are (no phonetic annotation, no MWE text)
      if (!phonetic) for (const w of seg.words) word(w)
      continue
    }
    for (const e of seg.elements) {
      if (e.type !== 'Word') continue
      if (phonetic) word(e.annotations.phonetic)
      else word(e.annotations.mwe_text ?? e.content)
    }
  }
  return { words, segments }
}

/** Whether `audioPlans` reads a text version for a project with these voices (the phonetic one only with a phonetic voice). */
export const readsVersion = (a: Pick<ProjectAudio, 'human_voice_id_phonetic'>, version: string) => version !== 'phonetic' || Boolean(a.human_voice_id_phonetic)

/**
 * What C-LARA's export asks for: the normal text (gloss and lemma needed) and, when the phonetic
 * text exists and the project has a phonetic voice, the phonetic one. A text that does not
 * internalise makes `get_audio_metadata` return `[]`, so no directory (as when a version is missing).
 */
export function audioPlans(a: ProjectAudio, texts: TextVersions): AudioPlan[] {
  const lang = audioLanguage(a.l2)
  const plans: AudioPlan[] = []
  const pick = (type: AudioType, voice: string | null, use: 'words' | 'sentences') => (type === 'human' && voice ? humanVoice(lang, voice) : ttsVoice(lang, use))
  const normal = spokenOrNull(texts, false)
  if (normal) {
    const { words, segments } = items(normal, false, true)
    plans.push({
      dir: 'audio', phonetic: false,
      words: { voice: pick(a.audio_type_for_words, a.human_voice_id, 'words'), items: words },
      segments: { voice: pick(a.audio_type_for_segments, a.human_voice_id, 'sentences'), items: segments },
    })
  }
  if (texts.phonetic !== undefined && a.human_voice_id_phonetic) {
    const phonetic = spokenOrNull(texts, true)
    if (phonetic) {
      const { words, segments } = items(phonetic, true, true)
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

function spokenOrNull(texts: TextVersions, phonetic: boolean): (Segment | PlainSegment)[] | null {
  try {
    return spokenSegments(texts, phonetic)
  } catch {
    return null
  }
}

/** `remove_duplicates_general`: the first of equal items (equal text, canonical text, context and file_path). */
function unique(items: AudioItem[]): AudioItem[] {
  const seen = new Map<string, AudioItem[]>()
  const same = (a: AudioItem, b: AudioItem) => a.canonical_text === b.canonical_text && a.context === b.context && (a.file_path ?? null) === (b.file_path ?? null)
  return items.filter((i) => {
    const kept = seen.get(i.text)
    if (!kept) return seen.set(i.text, [i]), true
    if (kept.some((k) => same(k, i))) return false
    return kept.push(i), true
  })
}

/** `file_path` per canonical text of one voice (a later row wins, as Django's dict does). */
export type AudioLookup = Map<string, string>

/** The basename C-LARA writes as `file` (`\` read as `/`). */
export const fileBase = (p: string) => p.replace(/\\/g, '/').replace(/.*\//, '')

/**
 * The JSON of one metadata.json: items with `file_path` filled in (null when no row), duplicate
 * words (and, phonetic, segments) dropped, `file` set where `exists` says the file is there.
 */
export function audioMetadata(plan: AudioPlan, words: AudioLookup, segments: AudioLookup, exists: (filePath: string, voice: VoiceKey) => boolean) {
  // `{...i, file_path}` spelt out (a spread per item costs more than all the rest)
  const fill = (q: AudioQuery, found: AudioLookup) =>
    q.items.map((i): AudioItem => ({ text: i.text, canonical_text: i.canonical_text, context: i.context, file_path: found.get(i.canonical_text) ?? null }))
  const out = { words: unique(fill(plan.words, words)), segments: fill(plan.segments, segments) }
  if (plan.phonetic) out.segments = unique(out.segments)
  for (const [q, list] of [[plan.words, out.words], [plan.segments, out.segments]] as const) {
    for (const i of list) if (i.file_path && exists(i.file_path, q.voice)) i.file = fileBase(i.file_path)
  }
  return out
}
