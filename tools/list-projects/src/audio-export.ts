/**
 * The audio of a project's source.zip, as C-LARA's own export writes it (clara-facts §4):
 * `audio/metadata.json` and, for a phonetic text with a phonetic voice, `phonetic_audio/metadata.json`,
 * each with the mp3s its items name (TTS and human alike). The rules (which text, which voice, which
 * items) are C-LARA's and live in `@clara/clara-model/export-audio`; this module reads the project's
 * texts, looks the items up in `orm_audio_metadata` and finds the files in the install.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Db } from '@clara/shared/db'
import type { InlineEntry, UnitSource } from '@clara/shared/records'
import { CONTENT_FOLDER } from '@clara/clara-model/data-folders'
import { audioFileCandidates } from '@clara/clara-model/audio-layout'
import { audioMetadata, audioPlans, fileBase, type AudioLookup, type AudioQuery } from '@clara/clara-model/export-audio'
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

/** The text versions that exist, read as `load_text_version` does (line breaks made `\n`). */
export function readVersions(clara: string, iid: string): TextVersions {
  const out: TextVersions = {}
  for (const v of VERSIONS) {
    const file = path.join(clara, CONTENT_FOLDER, iid, versionFile(iid, v))
    if (isFile(file)) out[v] = readFileSync(file, 'utf8').replace(/\r\n?/g, '\n')
  }
  return out
}

/** `get_entry_batch` for one voice: file_path by canonical text (context ''), a later row winning. */
async function lookup(db: Db, q: AudioQuery): Promise<AudioLookup> {
  const found: AudioLookup = new Map()
  const { engine_id, language_id, voice_id } = q.voice
  if (!engine_id || !language_id || !voice_id) return found
  const texts = [...new Set(q.items.map((i) => i.canonical_text))]
  for (let i = 0; i < texts.length; i += CHUNK) {
    const part = texts.slice(i, i + CHUNK)
    const rows = await db.query<{ text: string; file_path: string }>(
      `select text, file_path from orm_audio_metadata where engine_id = ? and language_id = ? and voice_id = ? and context = '' and text in (${part.map(() => '?').join(', ')}) order by id`,
      [engine_id, language_id, voice_id, ...part],
    )
    for (const r of rows) found.set(r.text, r.file_path)
  }
  return found
}

/** The file of an item in the install, or null (never a file outside it). */
export function locateAudio(clara: string, filePath: string, voice: VoiceKey): string | null {
  for (const rel of audioFileCandidates({ file_path: filePath, ...voice })) {
    const abs = path.join(clara, rel)
    if (isFile(abs)) return abs
  }
  return null
}

/** The audio members of one project's source archive (none when C-LARA's export has no audio dir). */
export async function projectAudio(db: Db, clara: string, p: ProjectInfo): Promise<AudioMembers> {
  const out: AudioMembers = { entries: [], sources: [] }
  if (!p.places.some((x) => x.kind === 'content' && x.exists)) return out
  const info = audioInfo(p.rows.humanaudioinfo, p.rows.phonetichumanaudioinfo)
  for (const plan of audioPlans({ l2: p.l2, ...info }, readVersions(clara, p.internal_id))) {
    const files = new Map<string, string>()
    const exists = (filePath: string, voice: VoiceKey) => {
      const abs = locateAudio(clara, filePath, voice)
      // C-LARA copies the files first and writes metadata.json last, over a file of that name
      if (abs && fileBase(filePath) !== 'metadata.json') files.set(`${plan.dir}/${fileBase(filePath)}`, abs)
      return Boolean(abs)
    }
    const json = audioMetadata(plan, await lookup(db, plan.words), await lookup(db, plan.segments), exists)
    out.entries.push({ path: `${plan.dir}/metadata.json`, json })
    for (const [member, file] of files) out.sources.push({ file, path: member })
  }
  return out
}

/**
 * Every selected project's audio members, by project id. A text the lister cannot read (a file
 * error) costs that project its audio, with the reason; a database error stops the listing.
 */
export async function audioMembers(db: Db, clara: string, projects: ProjectInfo[]): Promise<Map<number, AudioMembers>> {
  const m = new Map<number, AudioMembers>()
  for (const p of projects) {
    try {
      m.set(p.id, await projectAudio(db, clara, p))
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (!e.code || !e.syscall) throw err
      m.set(p.id, { entries: [], sources: [], problem: `audio left out: ${e.code} reading ${e.path ?? 'a text'}` })
    }
  }
  return m
}
