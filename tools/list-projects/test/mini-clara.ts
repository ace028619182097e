/**
 * Test helper (not a test): a tiny C-LARA install on the REAL schema (tools/fixture/clara-schema), in
 * SQLite or PostgreSQL, with the shapes the listers must handle: non-ASCII iids, a project with no
 * dirs, orphans of every kind, server URLs in compiled HTML, a nested content zip.
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { claraSchemaDir, createPgDb } from '@clara/shared/testkit'

export const SCHEMA = claraSchemaDir()
const TS = '2024-01-05 10:15:00'
const MTIME = new Date('2024-02-03T04:05:06Z')

type Vals = Record<string, unknown>
const user = (id: number, username: string, extra: Vals = {}): Vals => ({
  id, password: 'pbkdf2_sha256$x', last_login: null, is_superuser: false, username, first_name: username, last_name: 'Ü', email: `${username}@example.org`,
  is_staff: false, is_active: true, date_joined: TS, ...extra,
})
const project = (id: number, title: string, iid: string, l1: string, l2: string, extra: Vals = {}): Vals => ({
  id, title, l2, l1, user_id: 2, internal_id: iid, simple_clara_type: 'create_text_and_image', uses_coherent_image_set: false,
  use_translation_for_images: false, uses_coherent_image_set_v2: false, community_id: null, has_image_questionnaire: false,
  picture_gloss_style: '', uses_picture_glossing: false, ...extra,
})
const image = (id: number, pid: string, name: string, file: string, extra: Vals = {}): Vals => ({
  id, project_id: pid, image_name: name, file_path: file, associated_text: '', associated_areas: '[]', page: 1, position: 'bottom',
  content_description: '', style_description: '', user_prompt: '', description_variable: '', request_type: 'image-generation',
  description_variables: '{"b": 1, "a": [2]}', advice: '', image_type: 'page', element_name: '', ...extra,
})
const OLD = '/home/stm-admmxr/C-LARA'

export const ROWS: [string, Vals[]][] = [
  ['auth_user', [user(1, 'admin', { is_superuser: true, is_staff: true }), user(2, 'mannyrayner'), user(3, 'annotator_ü')]],
  ['clara_app_community', [{ id: 1, name: 'Kok Kaper community', language: 'kok kaper', description: '' }]],
  ['clara_app_claraproject', [
    project(37, 'Mary had a little lamb', 'Mary_had_a_little_lamb_37', 'french', 'english'),
    project(12, 'Ça va?', 'Ça_va__12', 'english', 'french', { uses_coherent_image_set_v2: true, community_id: 1 }),
    project(5, 'Peter Rabbit small', 'Peter_Rabbit_small5', 'english', 'english'),
  ]],
  ['clara_app_projectpermissions', [{ id: 1, role: 'ANNOTATOR', project_id: 37, user_id: 3 }, { id: 2, role: 'VIEWER', project_id: 12, user_id: 1 }]],
  ['clara_app_content', [
    { id: 1, external_url: null, title: 'Mary', l2: 'english', l1: 'french', length_in_words: 20, author: 'a', voice: 'v', annotator: 'x', difficulty_level: 'A1', project_id: 37, summary: '', text_type: 'normal', created_at: TS, updated_at: '2024-01-06 11:00:00.123456', unique_access_count: 3, password_hash: 'pbkdf2$h', password_hint: 'hint', password_last_set: null },
    { id: 2, external_url: null, title: 'Ça va', l2: 'french', l1: 'english', length_in_words: 5, author: 'a', voice: 'v', annotator: 'x', difficulty_level: 'A1', project_id: 12, summary: '', text_type: 'phonetic', created_at: null, updated_at: null, unique_access_count: 0, password_hash: null, password_hint: null, password_last_set: null },
  ]],
  ['clara_app_humanaudioinfo', [{ id: 1, method: 'manual_align', use_for_segments: false, use_for_words: true, voice_talent_id: 'mannyrayner', audio_file: '/tmp/tmpab12cd.mp3', project_id: 37, manual_align_metadata_file: null, preferred_tts_engine: 'google', preferred_tts_voice: 'none', created_at: TS, updated_at: TS, use_context: false }]],
  ['clara_app_phonetichumanaudioinfo', [{ id: 1, voice_talent_id: 'phon_voice', project_id: 12, method: 'upload_individual', use_for_segments: false, use_for_words: true, preferred_tts_engine: 'none', preferred_tts_voice: 'none', created_at: null, updated_at: null }]],
  ['clara_app_formatpreferences', [{ id: 1, font_type: 'serif', font_size: 'medium', text_align: 'left', project_id: 37, concordance_font_size: 'small', concordance_font_type: 'serif', concordance_text_align: 'left', created_at: TS, updated_at: TS }]],
  ['clara_app_acknowledgements', [{ id: 1, short_text: 'thanks', long_text: 'many thanks', long_text_location: 'first_page', project_id: 37, created_at: TS, updated_at: TS }]],
  ['orm_image_metadata', [
    image(1, 'Mary_had_a_little_lamb_37', 'DALLE-E-3-Image-For-Whole-Text', `${OLD}/images/image_repository_orm/Mary_had_a_little_lamb_37/image_for_whole_text.jpg`),
    image(2, 'Mary_had_a_little_lamb_37', 'understanding', '', { request_type: 'image-understanding', description_variable: 'lamb_look' }),
    image(3, 'Ça_va__12', 'page_1', `${OLD}/images/image_repository_orm/Ça_va__12/project_Ça_va__12_20241110_031502_ab.png`, { page: 1 }),
    image(4, 'Ça_va__12', 'page_2', `${OLD}/images/image_repository_orm/Ça_va__12/missing.png`, { page: 2 }),
    image(5, 'Deleted_project_99', 'page_1', `${OLD}/images/image_repository_orm/Deleted_project_99/old.png`),
  ]],
  ['orm_image_description', [{ id: 1, project_id: 'Mary_had_a_little_lamb_37', description_variable: 'lamb_look', explanation: 'white', created_at: TS, updated_at: TS }]],
]

const HOST = 'https://c-lara.unisa.edu.au'
/** The files of the tree, relative to $CLARA (a Buffer value is binary content). */
export const FILES: Record<string, string | Buffer> = {
  'clara_app/config.ini': '[CLARA_projects]\nproject_dir = $CLARA/clara_content\n',
  'clara_content/Mary_had_a_little_lamb_37/stored_data.json': '{\n    "id": "Mary_had_a_little_lamb_37",\n    "l2_language": "english",\n    "l1_language": "french"\n}',
  'clara_content/Mary_had_a_little_lamb_37/metadata.json': JSON.stringify([{ file: `${OLD}/clara_content/Mary_had_a_little_lamb_37/plain/Mary_had_a_little_lamb_37_plain.txt`, version: 'plain' }]),
  'clara_content/Mary_had_a_little_lamb_37/plain/Mary_had_a_little_lamb_37_plain.txt': 'Mary had a little lamb\n',
  'clara_content/Mary_had_a_little_lamb_37/archive/plain_20240105101500.txt': 'Mary had a lamb\n',
  'clara_content/Mary_had_a_little_lamb_37/__pycache__/x.pyc': Buffer.from([1, 2, 3]),
  'clara_content/Ça_va__12/stored_data.json': '{"id": "Ça_va__12", "l2_language": "french", "l1_language": "english"}',
  'clara_content/Ça_va__12/coherent_images_v2_project_dir/params.json': `{"project_dir": "${OLD}/clara_content/\\u00c7a_va__12/coherent_images_v2_project_dir"}`,
  'clara_content/Orphan_no_db_row_77/stored_data.json': '{"id": "Orphan_no_db_row_77"}',
  'clara_content/stray.txt': 'a stray file\n',
  'images/image_repository_orm/Mary_had_a_little_lamb_37/image_for_whole_text.jpg': Buffer.alloc(3000, 7),
  'images/image_repository_orm/Mary_had_a_little_lamb_37/image_for_whole_text_thumbnail.jpg': Buffer.alloc(300, 8),
  'images/image_repository_orm/Mary_had_a_little_lamb_37/unreferenced.png': Buffer.alloc(10, 9),
  'images/image_repository_orm/Ça_va__12/project_Ça_va__12_20241110_031502_ab.png': Buffer.alloc(2000, 1),
  'images/image_repository_orm/Deleted_project_99/old.png': Buffer.alloc(50, 2),
  'images/image_repository_orm/Orphan_no_db_row_77/o.png': Buffer.alloc(60, 2),
  'audio/tts_repository_orm/google/en-GB/en-GB-News-J/en-GB-News-J_1.mp3': Buffer.alloc(400, 3),
  'audio/tts_repository_orm/human_voice/old norse/mannyrayner/m 1.mp3': Buffer.alloc(500, 4),
  'clara_compiled/37/page_1.html':
    `<html><body><img src="/accounts/projects/serve_project_image/Mary_had_a_little_lamb_37/image_for_whole_text.jpg">` +
    `<audio src="${HOST}/accounts/serve_audio_file/google/en-GB/en-GB-News-J/en-GB-News-J_1.mp3"></audio>` +
    `<a href='page_2.html'>next</a><a href="/accounts/rendered_texts/37/normal/page_2.html">words</a>` +
    `<a href="/accounts/rendered_texts/37/phonetic/page_1.html">sounds</a><audio src="./multimedia/a.mp3"></audio></body></html>`,
  'clara_compiled/37/page_2.html': `<html><a href="page_1.html">back</a><source src="/accounts/serve_audio_file/human_voice/old%20norse/mannyrayner/m%201.mp3"></html>`,
  'clara_compiled/37/concordance_look up.html': `<img src="/accounts/projects/serve_project_image/Mary_had_a_little_lamb_37/image_for_whole_text_thumbnail.jpg"><a href="page_1.html">p</a>`,
  'clara_compiled/37/vocab_list_alphabetical.html': `<a href="concordance_look%20up.html">look up</a>`,
  'clara_compiled/37/static/clara_scripts.js': 'var x = 1\n',
  'clara_compiled/37/multimedia/a.mp3': Buffer.alloc(100, 5),
  'clara_compiled/37/content_zipfile_normal.zip': Buffer.from('PK not really'),
  'clara_compiled/99/page_1.html': '<html>orphan render</html>',
  'clara_compiled_phonetic/12/page_1.html': `<img src="/accounts/projects/serve_project_image/%C3%87a_va__12/project_%C3%87a_va__12_20241110_031502_ab.png">`,
  'clara_compiled_for_questionnaire/37/page_1.html': '<html>questionnaire</html>',
  'LARA_legacy/proust_vol1/page_1.html': '<html>Proust</html>',
  'LARA_legacy/proust_vol1/multimedia/p.mp3': Buffer.alloc(1000, 6),
  'LARA_legacy/alice/index.html': 'alice',
  'tmp/project_zip_dir_x/START.html': 'scratch',
}

/** Write the tree with fixed mtimes. */
export function writeTree(clara: string): void {
  for (const [rel, body] of Object.entries(FILES)) {
    const abs = path.join(clara, rel)
    mkdirSync(path.dirname(abs), { recursive: true })
    writeFileSync(abs, body)
    utimesSync(abs, MTIME, MTIME)
  }
}

function sqlValue(v: unknown, engine: string): unknown {
  if (engine === 'sqlite' && typeof v === 'boolean') return v ? 1 : 0
  if (engine === 'postgres' && typeof v === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(v)) return `${v}+00`
  return v
}

/** Load the real schema and the rows into `url`. */
export async function loadDb(url: string, engine: 'sqlite' | 'postgres'): Promise<void> {
  const db = await openDb(url, { readonly: false })
  try {
    // one transaction: SQLite would otherwise sync the file after every statement
    if (engine === 'sqlite') await db.exec('begin')
    await db.exec(readFileSync(path.join(SCHEMA, `${engine}.sql`), 'utf8'))
    if (engine === 'sqlite') await db.exec('commit')
    await db.exec(readFileSync(path.join(SCHEMA, `${engine}-migrations.sql`), 'utf8'))
    if (engine === 'sqlite') await db.exec('begin')
    for (const [table, rows] of ROWS) {
      for (const r of rows) {
        const cols = Object.keys(r)
        await db.query(`insert into ${db.ident(table)} (${cols.map((c) => db.ident(c)).join(', ')}) values (${cols.map(() => '?').join(', ')})`, cols.map((c) => sqlValue(r[c], engine)))
      }
    }
    if (engine === 'sqlite') await db.exec('commit')
  } finally {
    await db.close()
  }
}

export interface Mini {
  clara: string
  url: string
  drop(): Promise<void>
}

/** A mini install under `dir`: SQLite at $CLARA/db.sqlite3, or a throwaway PostgreSQL database. */
export async function miniClara(dir: string, engine: 'sqlite' | 'postgres'): Promise<Mini> {
  const clara = path.join(dir, 'clara')
  writeTree(clara)
  if (engine === 'sqlite') {
    const url = `sqlite://${path.join(clara, 'db.sqlite3')}`
    await loadDb(url, 'sqlite')
    return { clara, url, drop: async () => {} }
  }
  const pg = await createPgDb('clara_lp')
  await loadDb(pg.url, 'postgres')
  return { clara, url: pg.url, drop: () => pg.drop() }
}
