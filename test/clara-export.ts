/**
 * Issue 14 items 3 and 4: our source.zip holds every file of C-LARA's own export of the same project,
 * with the same parsed JSON, for every kind of project the fixture makes (normal, with images, with
 * no folder) and for one with human audio (normal and phonetic) and one with TTS audio, added here in
 * C-LARA's real layout; on SQLite and on PostgreSQL.
 *
 * The reference export is built below, test-only, by following
 * clara_export_import.make_export_zipfile_internal (fa5b553) step by step, reading the install
 * read-only: the CLARAProjectInternal constructor's effect (19 version dirs, stored_data.json from
 * the row), copytree of the folder, metadata.json from audio_info_for_project, get_audio_metadata
 * (the text internalised by clara-model's port of clara_internalise, every other step here: the
 * voice AudioAnnotator picks, get_entry_batch, remove_duplicates_general, file_exists on the stored
 * path, the copy), copy_image_data_to_tmp_dir and copy_image_description_data_to_tmp_dir.
 * The comparison allows only what the tool README documents: a stored path C-LARA finds nowhere on
 * this host (an old host's absolute path) that we find in the install, so ours holds the file.
 */
import t from 'tap'
import { copyFileSync, existsSync, mkdirSync, promises as fsp, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { openDb, type Db } from '@clara/shared/db'
import { walkTree } from '@clara/shared/walk'
import { internalisedText, segmentText } from '@clara/clara-model/clara-text'
import { realFixture } from '@clara/list-projects/test/real-fixture'
import { q, records, sh, unzip } from './e2e-kit.js'

type Rec = Record<string, any>
const root = t.testdir()

// ---------------------------------------------------------------- a human-audio project, C-LARA's layout
const HID = 70
const HIID = 'Human_voice_story_70'
const VOICE_DIR = 'audio/tts_repository_orm/human_voice/english/mannyrayner'
const VERSIONS = ['prompt', 'plain', 'title', 'segmented_title', 'summary', 'cefr_level', 'segmented', 'segmented_with_images', 'translated', 'phonetic', 'gloss', 'lemma', 'lemma_and_gloss', 'pinyin', 'mwe', 'image_request_sequence', 'exercises', 'exercise_judgements', 'exercise_human_judgements']
const TEXTS: Record<string, string> = {
  gloss: '<page>The#le# cat#chat# sat#s\'assit#.||It#il# looked#regarda# up#en haut#!<page>Bye#au revoir#.',
  lemma: '<page>The#the/DET# cat#cat/NOUN# sat#sit/VERB#.||It#it/PRON# looked#look/VERB# up#up/ADP#!<page>Bye#bye/INTJ#.',
  mwe: '<page>The cat sat.#-#||It looked up!#looked up#<page>Bye.#-#',
  phonetic: '<page>The#ðə# cat#kæt#.<page>Bye#baɪ#.',
}
const TID = 71
const TIID = 'Tts_story_71'
/** A TTS project (no human voice): Google en-GB, words in voice `default`, segments in `en-GB-News-J`. */
const TTS_TEXTS: Record<string, string> = { gloss: 'Hello#bonjour# world#monde#.', lemma: 'Hello#hello/INTJ# world#world/NOUN#.' }
/** [voice, canonical text, stored path ($CLARA-relative part), how it is stored] */
const TTS_ROWS: [string, string, string, 'old-host' | '$CLARA'][] = [
  ['default', 'hello', 'google/en-GB/default/default_20240805_033226_a1.mp3', 'old-host'],
  ['default', 'world', 'google/en-GB/default/default_20240805_033227_a2.mp3', '$CLARA'],
  ['en-GB-News-J', 'Hello world.', 'google/en-GB/en-GB-News-J/en-GB-News-J_20240805_033228_s1.mp3', '$CLARA'],
]
/** canonical text (segments keep their case, words are lowercased) → [file name, file exists]; texts absent here have no row. */
const HUMAN_ROWS: Record<string, [string, boolean]> = {
  'The cat sat.': ['mannyrayner_20250101_100000_seg1.mp3', true],
  'It looked up!': ['mannyrayner_20250101_100001_seg2.mp3', true],
  'Bye.': ['mannyrayner_20250101_100002_seg3.mp3', false],
  the: ['mannyrayner_20250101_100003_w1.mp3', true],
  cat: ['mannyrayner_20250101_100004_w2.mp3', true],
  'looked up': ['mannyrayner_20250101_100005_mwe.mp3', true],
  ðə: ['mannyrayner_20250101_100006_p1.mp3', true],
  kæt: ['mannyrayner_20250101_100007_p2.mp3', true],
}

for (const engine of ['sqlite', 'postgres'] as const) {
  t.test(`${engine}: source.zip against C-LARA's own export`, async (t) => {
    const fx = await realFixture(path.join(root, engine), engine)
    t.teardown(() => fx.drop())
    const clara = fx.clara
    async function addHumanAudioProject(db: Db): Promise<void> {
      const now = '2025-01-01 10:00:00'
      await db.query(
        `insert into clara_app_claraproject (id, title, l2, l1, user_id, internal_id, simple_clara_type, uses_coherent_image_set, use_translation_for_images, uses_coherent_image_set_v2, community_id, has_image_questionnaire, picture_gloss_style, uses_picture_glossing) values (?, 'Human voice story', 'english', 'french', 2, ?, 'create_text_and_image', false, false, false, null, false, '', false)`,
        [HID, HIID],
      )
      await db.query(
        `insert into clara_app_humanaudioinfo (method, use_for_segments, use_for_words, voice_talent_id, audio_file, project_id, manual_align_metadata_file, preferred_tts_engine, preferred_tts_voice, created_at, updated_at, use_context) values ('upload', true, true, 'mannyrayner', null, ?, null, 'none', 'none', ?, ?, false)`,
        [HID, now, now],
      )
      await db.query(
        `insert into clara_app_phonetichumanaudioinfo (voice_talent_id, project_id, method, use_for_segments, use_for_words, preferred_tts_engine, preferred_tts_voice, created_at, updated_at) values ('mannyrayner', ?, 'upload_individual', false, true, 'none', 'none', ?, ?)`,
        [HID, now, now],
      )
      mkdirSync(path.join(clara, VOICE_DIR), { recursive: true })
      for (const [text, [name, exists]] of Object.entries(HUMAN_ROWS)) {
        // AudioRepositoryORM.store_mp3 stores the absolute path under $CLARA
        const file = path.join(clara, VOICE_DIR, name)
        await db.query(
          `insert into orm_audio_metadata (engine_id, language_id, voice_id, text, context, file_path, created_at, updated_at) values ('human_voice', 'english', 'mannyrayner', ?, '', ?, ?, ?)`,
          [text, file, now, now],
        )
        if (exists) writeFileSync(file, Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00'), Buffer.from(`mp3 of ${text}`)]))
      }
      projectFolder(HIID, TEXTS)
    }

    /** A project folder as C-LARA leaves it: 19 version dirs, stored_data.json, the texts. */
    function projectFolder(iid: string, texts: Record<string, string>): void {
      const dir = path.join(clara, 'clara_content', iid)
      for (const v of VERSIONS) mkdirSync(path.join(dir, v), { recursive: true })
      writeFileSync(path.join(dir, 'stored_data.json'), JSON.stringify({ id: iid, l2_language: 'english', l1_language: 'french' }, null, 4))
      for (const [v, text] of Object.entries(texts)) writeFileSync(path.join(dir, v, `${iid}_${v}.txt`), text)
    }

    /** A TTS project whose audio rows name their files by an old host's path and by the literal `$CLARA/…`. */
    async function addTtsProject(db: Db): Promise<void> {
      await db.query(
        `insert into clara_app_claraproject (id, title, l2, l1, user_id, internal_id, simple_clara_type, uses_coherent_image_set, use_translation_for_images, uses_coherent_image_set_v2, community_id, has_image_questionnaire, picture_gloss_style, uses_picture_glossing) values (?, 'Tts story', 'english', 'french', 2, ?, 'create_text_and_image', false, false, false, null, false, '', false)`,
        [TID, TIID],
      )
      for (const [voice, text, rel, style] of TTS_ROWS) {
        const stored = `${style === 'old-host' ? '/home/stm-admmxr/C-LARA' : '$CLARA'}/audio/tts_repository_orm/${rel}`
        await db.query(
          `insert into orm_audio_metadata (engine_id, language_id, voice_id, text, context, file_path, created_at, updated_at) values ('google', 'en-GB', ?, ?, '', ?, '2024-08-05 03:32:26', '2024-08-05 03:32:26')`,
          [voice, text, stored],
        )
        const file = path.join(clara, 'audio/tts_repository_orm', rel)
        mkdirSync(path.dirname(file), { recursive: true })
        writeFileSync(file, `tts mp3 of ${text}`)
      }
      projectFolder(TIID, TTS_TEXTS)
    }

    // ---------------------------------------------------------------- the reference export, step by step

    async function rows(sql: string, params: unknown[] = []): Promise<Rec[]> {
      return ro.query(sql, params)
    }
    const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't'

    /** utils.audio_info_for_project */
    async function audioInfoForProject(id: number) {
      const [h] = await rows('select * from clara_app_humanaudioinfo where project_id = ?', [id])
      const [p] = await rows('select * from clara_app_phonetichumanaudioinfo where project_id = ?', [id])
      const human = h?.voice_talent_id ? h.voice_talent_id : null
      return {
        human_voice_id: human,
        human_voice_id_phonetic: p?.voice_talent_id ? p.voice_talent_id : null,
        audio_type_for_words: human && bool(h.use_for_words) ? 'human' : 'tts',
        audio_type_for_segments: human && bool(h.use_for_segments) ? 'human' : 'tts',
      }
    }

    /** clara_utils.file_exists in local mode: the stored path itself, `$CLARA` expanded. */
    function fileExists(p: string | null): boolean {
      if (!p) return false
      return existsSync(hostPath(p)) && statSync(hostPath(p)).isFile()
    }
    /** clara_utils.absolute_file_name: `$CLARA` expanded, relative to the working directory ($CLARA under gunicorn). */
    function hostPath(p: string): string {
      return path.resolve(clara, p.replace(/^\$CLARA/, clara))
    }
    const basename = (p: string) => p.replace(/\\/g, '/').split('/').pop()!

    /** AudioAnnotator's (engine, language, voice) for words or segments, for the languages of this test. */
    function voiceFor(type: string, human: string | null, lang: string, use: 'words' | 'sentences') {
      if (type === 'human') return ['human_voice', lang, human]
      // clara_tts_api: Google serves english (en-GB) and french (fr-FR): word voice 'default', else voices[0]
      const google: Rec = { english: ['en-GB', 'en-GB-News-J'], french: ['fr-FR', 'fr-FR-Studio-D'] }
      if (!google[lang]) throw new Error(`the reference knows no TTS engine for ${lang}`)
      return ['google', google[lang][0], use === 'words' ? 'default' : google[lang][1]]
    }

    /** AudioRepositoryORM.get_entry_batch: {(text, context): file_path}, a later row overwriting. */
    async function entryBatch(voice: unknown[], items: Rec[]): Promise<Map<string, string>> {
      const all = await rows(`select text, context, file_path from orm_audio_metadata where engine_id = ? and language_id = ? and voice_id = ? and context = '' order by id`, voice)
      const texts = new Set(items.map((i) => i.canonical_text))
      return new Map(all.filter((r) => texts.has(r.text)).map((r) => [r.text, r.file_path]))
    }

    /** get_audio_metadata(type='all'): the internalised text's segments and words with their files. */
    async function getAudioMetadata(iid: string, l2: string, human: string | null, wordsType: string, segmentsType: string, phonetic: boolean) {
      const dir = path.join(clara, 'clara_content', iid)
      const versions: Rec = {}
      for (const v of ['gloss', 'lemma', 'pinyin', 'translated', 'mwe', 'phonetic']) {
        const f = path.join(dir, v, `${iid}_${v}.txt`)
        if (existsSync(f)) versions[v] = readFileSync(f, 'utf8').replace(/\r\n?/g, '\n')
      }
      let pages
      try {
        pages = internalisedText(versions, phonetic)
      } catch {
        return [] // "Error when trying to create internalised text"
      }
      if (!pages) return []
      const lang = l2 === 'old norse' ? 'icelandic' : l2
      const wordVoice = voiceFor(wordsType, human, lang, 'words')
      const segVoice = phonetic ? voiceFor(segmentsType, human, lang, 'words') : voiceFor(segmentsType, human, lang, 'sentences')
      const noAudio = (s: string) => {
        const rest = s.replace(/<\/?\w+>/g, '')
        return !rest || [...rest].every((c) => /[\p{P} \n|]/u.test(c))
      }
      let words: Rec[] = []
      let segments: Rec[] = []
      for (const page of pages) {
        for (const seg of page.segments) {
          const plain = segmentText(seg)
          const canonical = phonetic ? plain.trim().toLowerCase() : plain.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim()
          if (!noAudio(canonical)) segments.push({ text: plain, canonical_text: canonical, context: '' })
          for (const e of seg.elements) {
            if (e.type !== 'Word') continue
            const said = phonetic ? (e.annotations.phonetic as string | undefined) : ((e.annotations.mwe_text as string | undefined) ?? e.content)
            if (said && !noAudio(said)) words.push({ text: said, canonical_text: said.toLowerCase(), context: '' })
          }
        }
      }
      const segFiles = await entryBatch(segVoice, segments)
      const wordFiles = await entryBatch(wordVoice, words)
      for (const i of segments) i.file_path = segFiles.get(i.canonical_text) ?? null
      for (const i of words) i.file_path = wordFiles.get(i.canonical_text) ?? null
      const dedupe = (list: Rec[]) => list.filter((x, n) => list.findIndex((y) => isDeepStrictEqual(x, y)) === n)
      words = dedupe(words)
      if (phonetic) segments = dedupe(segments)
      return { words, segments }
    }

    async function copyTree(from: string, to: string): Promise<void> {
      await fsp.cp(from, to, { recursive: true, preserveTimestamps: true })
    }

    /** make_export_zipfile_internal(project), into `out` (the unzipped form of its zip). */
    async function referenceExport(p: Rec, out: string): Promise<void> {
      const iid = p.internal_id
      // CLARAProjectInternal(project.internal_id, project.l2, project.l1): its folder, as the constructor leaves it
      const projectDir = path.join(out, 'project_dir')
      const src = path.join(clara, 'clara_content', iid)
      if (existsSync(src)) await copyTree(src, projectDir)
      for (const v of VERSIONS) mkdirSync(path.join(projectDir, v), { recursive: true })
      writeFileSync(path.join(projectDir, 'stored_data.json'), JSON.stringify({ id: iid, l2_language: p.l2, l1_language: p.l1 }, null, 4))
      const info = await audioInfoForProject(p.id)
      const global = {
        simple_clara_type: p.simple_clara_type, uses_coherent_image_set: bool(p.uses_coherent_image_set),
        uses_coherent_image_set_v2: bool(p.uses_coherent_image_set_v2), use_translation_for_images: bool(p.use_translation_for_images),
        uses_picture_glossing: bool(p.uses_picture_glossing), picture_gloss_style: p.picture_gloss_style, ...info,
      }
      writeFileSync(path.join(out, 'metadata.json'), JSON.stringify(global, null, 4))
      const audio = await getAudioMetadata(iid, p.l2, info.human_voice_id, info.audio_type_for_words, info.audio_type_for_segments, false)
      const phoneticText = existsSync(path.join(projectDir, 'phonetic', `${iid}_phonetic.txt`))
      const audioPhonetic = phoneticText && info.human_voice_id_phonetic ? await getAudioMetadata(iid, p.l2, info.human_voice_id_phonetic, 'human', info.audio_type_for_words, true) : null
      for (const [meta, dir] of [[audio, 'audio'], [audioPhonetic, 'phonetic_audio']] as const) {
        // copy_audio_data_to_tmp_dir: `if not audio_metadata: return`
        if (!meta || Array.isArray(meta)) continue
        mkdirSync(path.join(out, dir), { recursive: true })
        for (const item of [...meta.words, ...meta.segments]) {
          if (item.file_path && fileExists(item.file_path)) {
            copyFileSync(hostPath(item.file_path), path.join(out, dir, basename(item.file_path)))
            item.file = basename(item.file_path)
          }
        }
        writeFileSync(path.join(out, dir, 'metadata.json'), JSON.stringify(meta, null, 4))
      }
      // copy_image_data_to_tmp_dir: always the directory and its metadata.json
      mkdirSync(path.join(out, 'images'), { recursive: true })
      const images = (await rows('select * from orm_image_metadata where project_id = ? order by id', [iid])).map((r) => {
        const thumb = r.file_path.replace(/(\.[^./\\]*)?$/, (ext: string) => `_thumbnail${ext}`)
        const item: Rec = {
          image_file_path: r.file_path, thumbnail_file_path: thumb, image_name: r.image_name, associated_text: r.associated_text,
          associated_areas: r.associated_areas, page: r.page, position: r.position, style_description: r.style_description,
          content_description: r.content_description, request_type: r.request_type, description_variable: r.description_variable,
          description_variables: typeof r.description_variables === 'string' ? JSON.parse(r.description_variables) : r.description_variables,
          user_prompt: r.user_prompt, image_type: r.image_type, advice: r.advice, element_name: r.element_name,
        }
        if (item.request_type === 'image-generation') {
          for (const key of ['image_file_path', 'thumbnail_file_path']) {
            if (item[key] && fileExists(item[key])) {
              copyFileSync(hostPath(item[key]), path.join(out, 'images', basename(item[key])))
              item[key] = basename(item[key])
            }
          }
        }
        return item
      })
      writeFileSync(path.join(out, 'images', 'metadata.json'), JSON.stringify(images, null, 4))
      // copy_image_description_data_to_tmp_dir: the file only when there are descriptions
      mkdirSync(path.join(out, 'image_descriptions'), { recursive: true })
      const descriptions = await rows('select description_variable, explanation from orm_image_description where project_id = ? order by id', [iid])
      if (descriptions.length) writeFileSync(path.join(out, 'image_descriptions', 'metadata.json'), JSON.stringify(descriptions, null, 4))
    }

    // ---------------------------------------------------------------- the comparison
    async function files(dir: string): Promise<string[]> {
      const out: string[] = []
      for await (const e of walkTree(dir)) if (e.kind === 'file') out.push(e.rel)
      return out.sort()
    }

    /**
     * The documented exception: where C-LARA's value is a stored path it cannot find on this host
     * and ours is the basename of the file we found in the install (images), or ours has `file` for it
     * (audio). Anything else must be equal.
     */
    function sameJson(ref: unknown, ours: unknown, where: string, diffs: string[]): void {
      if (Array.isArray(ref) && Array.isArray(ours)) {
        if (ref.length !== ours.length) diffs.push(`${where}: ${ref.length} items, ours ${ours.length}`)
        else ref.forEach((r, i) => sameJson(r, ours[i], `${where}[${i}]`, diffs))
        return
      }
      if (ref && ours && typeof ref === 'object' && typeof ours === 'object' && !Array.isArray(ref)) {
        const r = ref as Rec
        const o = ours as Rec
        for (const k of new Set([...Object.keys(r), ...Object.keys(o)])) {
          const missedPath = typeof r.file_path === 'string' && !fileExists(r.file_path)
          if (k === 'file' && !(k in r) && missedPath && o.file === basename(r.file_path)) continue
          const foundImage = ['image_file_path', 'thumbnail_file_path'].includes(k) && typeof r[k] === 'string' && !fileExists(r[k]) && o[k] === basename(r[k])
          if (foundImage) continue
          if (!(k in o)) diffs.push(`${where}.${k}: missing in ours`)
          else if (!(k in r)) diffs.push(`${where}.${k}: only in ours (${JSON.stringify(o[k])})`)
          else sameJson(r[k], o[k], `${where}.${k}`, diffs)
        }
        return
      }
      if (!isDeepStrictEqual(ref, ours)) diffs.push(`${where}: C-LARA ${JSON.stringify(ref)}, ours ${JSON.stringify(ours)}`)
    }

    const db = await openDb(fx.url, { readonly: false })
    await addHumanAudioProject(db)
    await addTtsProject(db)
    await db.close()
    const ro = await openDb(fx.url, { readonly: true })

    const dest = path.join(root, engine, 'run')
    const listed = await sh(`clara-list-projects --clara ${q(clara)} --db ${q(fx.url)}`)
    const run = await sh(`clara-list-projects --clara ${q(clara)} --db ${q(fx.url)} --units source | clara-zip-unit --dest ${q(dest)}`)
    const projects = records(listed.stdout).filter((r) => r.type === 'project')

    const kinds: Record<string, (p: Rec) => boolean> = {
      'a normal project': (p) => p.id === 37,
      'a project with images': (p) => p.images.some((i: Rec) => i.request_type === 'image-generation'),
      'a project with human audio': (p) => p.id === HID,
      'a project with TTS audio': (p) => p.id === TID,
      'a project with no folder': (p) => !p.places.find((x: Rec) => x.kind === 'content').exists,
    }
    t.teardown(() => ro.close())
    t.equal(run.code, 0, run.stderr)
    t.test('the fixture and this test make every kind of project', async (t) => {
      for (const [kind, is] of Object.entries(kinds)) t.ok(projects.some(is), kind)
    })

    for (const p of projects) {
      const kind = Object.entries(kinds).filter(([, is]) => is(p)).map(([k]) => k).join(', ') || 'a project'
      t.test(`${p.id} ${p.internal_id} (${kind}): every file of C-LARA's export, same parsed JSON`, async (t) => {
        const ref = path.join(root, engine, 'ref', String(p.id))
        const [row] = await rows('select * from clara_app_claraproject where id = ?', [p.id])
        await referenceExport(row, ref)
        const ours = path.join(root, engine, 'ours', String(p.id))
        await unzip(path.join(dest, 'source_exports', String(p.id), 'source.zip'), ours)
        const oursFiles = new Set(await files(ours))
        const diffs: string[] = []
        for (const f of await files(ref)) {
          if (!oursFiles.has(f)) {
            diffs.push(`${f}: not in our source.zip`)
            continue
          }
          const a = readFileSync(path.join(ref, f))
          const b = readFileSync(path.join(ours, f))
          if (f.endsWith('.json')) sameJson(JSON.parse(a.toString('utf8')), JSON.parse(b.toString('utf8')), f, diffs)
          else if (!a.equals(b)) diffs.push(`${f}: bytes differ`)
        }
        t.same(diffs, [], 'no difference but the documented one')
        t.ok(oursFiles.has('project_dir/stored_data.json'), 'project_dir/stored_data.json, which the import needs')
        if (p.id === TID) {
          const audio = JSON.parse(readFileSync(path.join(ours, 'audio/metadata.json'), 'utf8'))
          t.same(audio.words.map((w: Rec) => [w.text, w.file_path, w.file]), [
            ['Hello', '/home/stm-admmxr/C-LARA/audio/tts_repository_orm/google/en-GB/default/default_20240805_033226_a1.mp3', 'default_20240805_033226_a1.mp3'],
            ['world', '$CLARA/audio/tts_repository_orm/google/en-GB/default/default_20240805_033227_a2.mp3', 'default_20240805_033227_a2.mp3'],
          ], 'TTS words in Google\'s word voice; an old host\'s path is found in the install (the documented exception), file_path kept')
          t.same(audio.segments.map((w: Rec) => w.file), ['en-GB-News-J_20240805_033228_s1.mp3'], 'segments in the sentence voice')
          const ref = JSON.parse(readFileSync(path.join(root, engine, 'ref', String(p.id), 'audio/metadata.json'), 'utf8'))
          t.same(ref.words.map((w: Rec) => w.file ?? null), [null, 'default_20240805_033227_a2.mp3'], 'C-LARA itself does not find the old host\'s path here')
        }
        if (p.id === HID) {
          const audio = JSON.parse(readFileSync(path.join(ours, 'audio/metadata.json'), 'utf8'))
          t.same(audio.words.map((w: Rec) => [w.text, w.file ?? null]), [
            ['The', 'mannyrayner_20250101_100003_w1.mp3'], ['cat', 'mannyrayner_20250101_100004_w2.mp3'], ['sat', null],
            // "it" is said by the same voice in the fixture's own Mary text: C-LARA's lookup is by voice and word, not project
            ['It', 'mannyrayner_20240720_135617_5732ddc4-c40e-4aa7-8da6-0484c8180dd1.mp3'], ['looked up', 'mannyrayner_20250101_100005_mwe.mp3'], ['Bye', null],
          ], 'words: the MWE is said as one, a word without a row has no file, a word recorded for another project is found')
          t.same(audio.segments.map((s: Rec) => [s.text, s.file ?? null]), [
            ['The cat sat.', 'mannyrayner_20250101_100000_seg1.mp3'], ['It looked up!', 'mannyrayner_20250101_100001_seg2.mp3'], ['Bye.', null],
          ], 'segments: a row whose file is missing keeps its file_path and has no file')
          t.ok(oursFiles.has('audio/mannyrayner_20250101_100003_w1.mp3') && oursFiles.has('phonetic_audio/mannyrayner_20250101_100006_p1.mp3'), 'the mp3s ride along')
          const phonetic = JSON.parse(readFileSync(path.join(ours, 'phonetic_audio/metadata.json'), 'utf8'))
          t.same(phonetic.words.map((w: Rec) => w.text), ['ðə', 'kæt', 'baɪ'], 'phonetic words are the phonemes')
        }
      })
    }
  })
}
