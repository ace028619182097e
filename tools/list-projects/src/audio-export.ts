/**
 * The audio of a project's source.zip, as C-LARA's own export writes it (clara-facts §4):
 * `audio/metadata.json` and, for a phonetic text with a phonetic voice, `phonetic_audio/metadata.json`,
 * each with the mp3s its items name (TTS and human alike). The rules (which text, which voice, which
 * items) are C-LARA's and live in `@clara/clara-model/export-audio`; this module reads the project's
 * texts, looks the items up in `orm_audio_metadata` and finds the files in the install.
 */
import { closeSync, openSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Db } from '@clara/shared/db'
import type { InlineEntry, UnitSource } from '@clara/shared/records'
import { CONTENT_FOLDER } from '@clara/clara-model/data-folders'
import { audioFileCandidates } from '@clara/clara-model/audio-layout'
import { audioMetadata, audioPlans, fileBase, readsVersion, type AudioLookup, type AudioPlan, type AudioQuery } from '@clara/clara-model/export-audio'
import type { TextVersions } from '@clara/clara-model/clara-text'
import { versionFile } from '@clara/clara-model/project-export'
import type { VoiceKey } from '@clara/clara-model/tts-voices'
import { audioInfo } from './global-metadata.js'
import { isFile } from './places.js'
import type { ProjectInfo } from './project-record.js'

export interface AudioMembers {
  entries: InlineEntry[]
  sources: UnitSource[]
  /** why the audio could not be read (the unit then goes without it) */
  problem?: string
}

const VERSIONS = ['gloss', 'lemma', 'pinyin', 'translated', 'mwe', 'phonetic'] as const
/** Rows looked up per query (well under every engine's parameter limit). */
const CHUNK = 500

/**
 * The text versions that exist, read as `load_text_version` does (line breaks made `\n`). One that
 * `read` leaves out (the export will not look at it) is only opened: a text the lister cannot read
 * costs the project its audio all the same, and the text is absent from the result.
 */
export function readVersions(clara: string, iid: string, read: (v: (typeof VERSIONS)[number]) => boolean = () => true): TextVersions {
  const out: TextVersions = {}
  for (const v of VERSIONS) {
    const file = path.join(clara, CONTENT_FOLDER, iid, versionFile(iid, v))
    if (!isFile(file)) continue
    if (!read(v)) {
      closeSync(openSync(file, 'r'))
      continue
    }
    const text = readFileSync(file, 'utf8')
    out[v] = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text
  }
  return out
}

/** file_path by canonical text, per voice (`voiceKey`). */
type Lookups = Map<string, AudioLookup>
const voiceKey = (v: VoiceKey) => JSON.stringify([v.engine_id, v.language_id, v.voice_id])

/**
 * `get_entry_batch` for every query at once, one voice at a time: file_path by canonical text
 * (context ''), a later row winning. A text's rows are the same whatever else a query asks for, so
 * one query per voice and chunk gives each lookup what its own query would.
 */
async function lookupAll(db: Db, queries: AudioQuery[]): Promise<Lookups> {
  const texts = new Map<string, { voice: VoiceKey; texts: Set<string> }>()
  for (const q of queries) {
    const k = voiceKey(q.voice)
    const v = texts.get(k) ?? texts.set(k, { voice: q.voice, texts: new Set() }).get(k)!
    for (const i of q.items) v.texts.add(i.canonical_text)
  }
  const out: Lookups = new Map()
  for (const [k, { voice, texts: wanted }] of texts) {
    const found: AudioLookup = new Map()
    out.set(k, found)
    const { engine_id, language_id, voice_id } = voice
    if (!engine_id || !language_id || !voice_id) continue
    const all = [...wanted]
    for (let i = 0; i < all.length; i += CHUNK) {
      const part = all.slice(i, i + CHUNK)
      const rows = await db.query<{ text: string; file_path: string }>(
        `select text, file_path from orm_audio_metadata where engine_id = ? and language_id = ? and voice_id = ? and context = '' and text in (${part.map(() => '?').join(', ')}) order by id`,
        [engine_id, language_id, voice_id, ...part],
      )
      for (const r of rows) found.set(r.text, r.file_path)
    }
  }
  return out
}

/** The file of an item in the install, or null (never a file outside it). */
export function locateAudio(clara: string, filePath: string, voice: VoiceKey): string | null {
  for (const rel of audioFileCandidates({ file_path: filePath, ...voice })) {
    const abs = path.join(clara, rel)
    if (isFile(abs)) return abs
  }
  return null
}

/** The plans of C-LARA's export for one project (none when it has no content dir). */
function projectPlans(clara: string, p: ProjectInfo): AudioPlan[] {
  if (!p.places.some((x) => x.kind === 'content' && x.exists)) return []
  const info = audioInfo(p.rows.humanaudioinfo, p.rows.phonetichumanaudioinfo)
  return audioPlans({ l2: p.l2, ...info }, readVersions(clara, p.internal_id, (v) => readsVersion(info, v)))
}

/** The audio members of one project's source archive, from its plans and the lookups. */
function projectAudio(clara: string, plans: AudioPlan[], lookups: Lookups): AudioMembers {
  const out: AudioMembers = { entries: [], sources: [] }
  for (const plan of plans) {
    const files = new Map<string, string>()
    const exists = (filePath: string, voice: VoiceKey) => {
      const abs = locateAudio(clara, filePath, voice)
      // C-LARA copies the files first and writes metadata.json last, over a file of that name
      if (abs && fileBase(filePath) !== 'metadata.json') files.set(`${plan.dir}/${fileBase(filePath)}`, abs)
      return Boolean(abs)
    }
    const json = audioMetadata(plan, lookups.get(voiceKey(plan.words.voice))!, lookups.get(voiceKey(plan.segments.voice))!, exists)
    out.entries.push({ path: `${plan.dir}/metadata.json`, json })
    for (const [member, file] of files) out.sources.push({ file, path: member })
  }
  return out
}

/**
 * Every selected project's audio members, by project id: the texts read and planned project by
 * project (only the plans are kept), looked up together, then each project's metadata and files. A
 * text the lister cannot read (a file error) costs that project its audio, with the reason; a
 * database error stops the listing.
 */
export async function audioMembers(db: Db, clara: string, projects: ProjectInfo[]): Promise<Map<number, AudioMembers>> {
  const m = new Map<number, AudioMembers>()
  const planned = new Map<number, AudioPlan[]>()
  for (const p of projects) {
    try {
      planned.set(p.id, projectPlans(clara, p))
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (!e.code || !e.syscall) throw err
      m.set(p.id, { entries: [], sources: [], problem: `audio left out: ${e.code} reading ${e.path ?? 'a text'}` })
    }
  }
  const lookups = await lookupAll(db, [...planned.values()].flatMap((plans) => plans.flatMap((plan) => [plan.words, plan.segments])))
  for (const p of projects) {
    const plans = planned.get(p.id)
    if (plans) m.set(p.id, projectAudio(clara, plans, lookups))
  }
  return m
}
