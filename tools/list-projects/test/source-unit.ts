import t from 'tap'
import { copyFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { IMAGE_KEYS } from '../src/image-items.js'
import { realFixture } from './real-fixture.js'
import { miniClara } from './mini-clara.js'

type Rec = Record<string, any>
const dir = t.testdir({ real: {}, mini: {}, stored: {} })
const fx = await realFixture(path.join(dir, 'real'))
const GLOBAL_KEYS = ['simple_clara_type', 'uses_coherent_image_set', 'uses_coherent_image_set_v2', 'use_translation_for_images', 'uses_picture_glossing', 'picture_gloss_style', 'human_voice_id', 'human_voice_id_phonetic', 'audio_type_for_words', 'audio_type_for_segments']

async function list(clara: string, db: string, extra: string[] = []): Promise<Rec[]> {
  const r = await runMain(main, { argv: ['--clara', clara, '--db', db, ...extra] })
  if (r.code !== 0) throw new Error(r.stderr)
  return r.records.filter((x) => x.type !== 'end') as Rec[]
}
const entry = (a: Rec, p: string) => a.entries.find((e: Rec) => e.path === p)?.json

t.test('one source unit per project, then one per orphan name', async (t) => {
  const recs = await list(fx.clara, fx.url, ['--units', 'source'])
  const units = recs.filter((r) => r.type === 'unit')
  t.same(units.map((u) => u.unit), ['5', '12', '37', '55', '60', '61', 'orphan-Orphan_no_db_row_77'])
  t.ok(units.every((u) => u.domain === 'source_exports' && u.archives.length === 1 && u.archives[0].name === 'source'))
  const w = recs.filter((r) => r.type === 'warning')
  t.match(w, [{ unit: '61', message: /clara_content\/Lost_project_61 does not exist/ }])
  t.ok(recs.indexOf(w[0]) < recs.findIndex((r) => r.unit === '61' && r.type === 'unit'), 'the warning comes before its unit')
})

t.test('C-LARA import layout: metadata.json, project_dir/, images/, image_descriptions/', async (t) => {
  const projects = await list(fx.clara, fx.url, ['--only', '37,12'])
  const units = (await list(fx.clara, fx.url, ['--units', 'source', '--only', '37,12'])).filter((r) => r.type === 'unit')
  for (const u of units) {
    const p = projects.find((x) => String(x.id) === u.unit)!
    const a = u.archives[0]
    const iid = p.internal_id
    t.match(a.sources[0], { dir: path.join(fx.clara, 'clara_content', iid), prefix: 'project_dir/', restore_to: `clara_content/${iid}` })
    t.ok(a.sources[0].exclude.includes('__pycache__'))
    t.match(a.sources.at(-1), { dir: path.join(fx.clara, 'images/image_repository_orm', iid), prefix: 'image_repository/', restore_to: `images/image_repository_orm/${iid}` })
    const g = entry(a, 'metadata.json')
    t.same(Object.keys(g), GLOBAL_KEYS, 'the 10 global keys, in order')
    const h = p.rows.humanaudioinfo
    t.equal(g.human_voice_id, h?.voice_talent_id || null)
    t.equal(g.audio_type_for_words, h?.voice_talent_id && h.use_for_words ? 'human' : 'tts')
    t.equal(g.human_voice_id_phonetic, p.rows.phonetichumanaudioinfo?.voice_talent_id || null)
    t.equal(g.uses_coherent_image_set_v2, p.uses_coherent_image_set_v2)
    const items = entry(a, 'images/metadata.json')
    t.equal(items.length, p.images.length, 'one item per image row')
    for (const it of items) t.same(Object.keys(it), [...IMAGE_KEYS], `${it.image_name}: all 16 keys`)
    const files = a.sources.filter((s: Rec) => s.file)
    for (const it of items.filter((i: Rec) => i.request_type === 'image-generation' && !i.image_file_path.includes('/'))) {
      t.ok(files.some((s: Rec) => s.path === `images/${it.image_file_path}` && s.file === path.join(fx.clara, 'images/image_repository_orm', iid, it.image_file_path)), `${it.image_file_path} copied`)
    }
    t.ok(files.length > 0, 'image files ride along')
    t.same(entry(a, 'image_descriptions/metadata.json'), p.image_descriptions.map((d: Rec) => ({ description_variable: d.description_variable, explanation: d.explanation })))
    t.match(u.metadata, { id: p.id, title: p.title, l1: p.l1, l2: p.l2, owner: p.owner, permissions: p.permissions, app_commit: null })
    t.same(u.metadata.db_rows.humanaudioinfo, p.rows.humanaudioinfo)
    t.same(u.metadata.db_rows.image_metadata, p.images)
    t.equal(u.fingerprint_extra, p.rows_sha256)
  }
})

t.test('fingerprint_extra follows the project DB rows', async (t) => {
  const copy = path.join(dir, 'copy.sqlite3')
  copyFileSync(path.join(fx.clara, 'db.sqlite3'), copy)
  const before = (await list(fx.clara, `sqlite://${copy}`, ['--units', 'source'])).filter((r) => r.type === 'unit')
  const db = await openDb(`sqlite://${copy}`, { readonly: false })
  await db.exec(`update clara_app_formatpreferences set font_size = 'huge' where project_id = 37`)
  await db.close()
  const after = (await list(fx.clara, `sqlite://${copy}`, ['--units', 'source'])).filter((r) => r.type === 'unit')
  for (const [i, u] of before.entries()) {
    if (u.unit === '37') t.not(after[i].fingerprint_extra, u.fingerprint_extra, '37 changed')
    else t.equal(after[i].fingerprint_extra, u.fingerprint_extra, `${u.unit} unchanged`)
  }
})

t.test('orphans: orphan-<name>, content and image dirs of one name in one unit, stray files kept', async (t) => {
  const m = await miniClara(path.join(dir, 'mini'), 'sqlite')
  const units = (await list(m.clara, m.url, ['--units', 'source'])).filter((r) => r.type === 'unit' && r.unit.startsWith('orphan-'))
  t.same(units.map((u) => u.unit), ['orphan-Deleted_project_99', 'orphan-Orphan_no_db_row_77', 'orphan-stray.txt'])
  const [deleted, o77, stray] = units
  t.match(o77.archives[0].sources, [
    { prefix: 'project_dir/', restore_to: 'clara_content/Orphan_no_db_row_77' },
    { prefix: 'image_repository/', restore_to: 'images/image_repository_orm/Orphan_no_db_row_77' },
  ])
  t.same(Object.keys(entry(o77.archives[0], 'metadata.json')), GLOBAL_KEYS, 'importable through C-LARA with default flags')
  t.match(o77.metadata, { orphan: true, name: 'Orphan_no_db_row_77', paths: ['clara_content/Orphan_no_db_row_77', 'images/image_repository_orm/Orphan_no_db_row_77'] })
  const items = entry(deleted.archives[0], 'images/metadata.json')
  t.match(items, [{ image_name: 'page_1', image_file_path: 'old.png' }], 'image rows of a deleted project go with its image dir')
  t.match(deleted.archives[0].sources, [{ path: 'images/old.png' }, { prefix: 'image_repository/' }])
  t.same(stray.archives, [{ name: 'source', sources: [{ file: path.join(m.clara, 'clara_content/stray.txt'), path: 'stray.txt', restore_to: 'clara_content/stray.txt' }] }])
})

t.test('image paths: old-host, missing and understanding rows like copy_image_data_to_tmp_dir', async (t) => {
  const m = await miniClara(path.join(dir, 'mini2'), 'sqlite')
  const units = (await list(m.clara, m.url, ['--units', 'source', '--only', '12,37'])).filter((r) => r.type === 'unit')
  const ca = entry(units[0].archives[0], 'images/metadata.json')
  t.equal(ca[0].image_file_path, 'project_Ça_va__12_20241110_031502_ab.png', 'old host prefix found in the repository')
  t.equal(ca[0].thumbnail_file_path, '/home/stm-admmxr/C-LARA/images/image_repository_orm/Ça_va__12/project_Ça_va__12_20241110_031502_ab_thumbnail.png', 'a missing thumbnail keeps its path')
  t.equal(ca[1].image_file_path, '/home/stm-admmxr/C-LARA/images/image_repository_orm/Ça_va__12/missing.png', 'a missing file keeps its path')
  const mary = entry(units[1].archives[0], 'images/metadata.json')
  t.match(mary[1], { request_type: 'image-understanding', image_file_path: '', thumbnail_file_path: '_thumbnail' })
  t.same(mary[0].description_variables, { a: [2], b: 1 })
})

t.test('project_dir/stored_data.json: C-LARA\'s own for a project without a folder; a folder as it is, with a warning when its file falls short', async (t) => {
  // an install of its own, changed below
  const own = await realFixture(path.join(dir, 'stored'))
  const copy = own.clara
  const stored = (iid: string) => path.join(copy, 'clara_content', iid, 'stored_data.json')
  writeFileSync(stored('Ça_va__12'), JSON.stringify({ id: 'Ça_va__12', l2_language: 'german', l1_language: 'english' }))
  rmSync(stored('Peter_Rabbit_small5'))
  const recs = await list(copy, `sqlite://${path.join(copy, 'db.sqlite3')}`, ['--units', 'source', '--only', '5,12,37,61'])
  const units = Object.fromEntries(recs.filter((r) => r.type === 'unit').map((u) => [u.unit, u.archives[0]]))
  const generated = (a: Rec) => a.entries.find((e: Rec) => e.path === 'project_dir/stored_data.json')
  const warned = (unit: string) => recs.filter((r) => r.type === 'warning' && r.unit === unit && /stored_data\.json$/.test(r.item))

  t.same(generated(units['61']), { path: 'project_dir/stored_data.json', text: '{\n    "id": "Lost_project_61",\n    "l2_language": "english",\n    "l1_language": "french"\n}' }, 'no folder: the row\'s, in C-LARA\'s bytes')
  t.notOk(units['61'].sources.some((s: Rec) => s.prefix === 'project_dir/'), 'and nothing to restore it into')

  for (const u of ['5', '12', '37']) {
    t.equal(generated(units[u]), undefined, `${u}: the folder as it is`)
    t.same(units[u].sources[0].exclude, ['__pycache__', '*.pyc', 'gunicorn.sock'])
  }
  t.same(warned('37'), [], 'the same as the row: no warning')
  t.match(warned('12'), [{ item: 'clara_content/Ça_va__12/stored_data.json', message: /says .*german.*C-LARA's export would write .*french.* from the project row/ }])
  t.match(warned('5'), [{ item: 'clara_content/Peter_Rabbit_small5/stored_data.json', message: /missing, so C-LARA's import refuses/ }])
})
