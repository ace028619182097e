/**
 * MariaDB: a real mysqldump (clara-pgdump) of the four path tables is read in the pre-flight
 * (old roots detected from its INSERTs), loaded with the mysql client, and rewritten; a
 * cross-engine target is refused.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb } from '@clara/shared/db'
import { createMysqlDb, runMain, type ScratchDb } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { node } from './kit.js'

const ROWS: [string, string][] = [
  ['orm_audio_metadata', "/home/stm-admmxr/C-LARA/audio/tts_repository_orm/google/en-GB/v/a'b.mp3"],
  ['orm_audio_metadata', 'C:\\cygwin64\\home\\github\\c-lara\\audio\\tts_repository_orm\\google\\x.mp3'],
  ['orm_audio_metadata', 'audio/tts_repository_orm/openai/french/alloy/s3.mp3'],
  ['orm_audio_metadata', '$CLARA/audio/tts_repository_orm/openai/french/alloy/var.mp3'],
  ['orm_image_metadata', '/home/stm-admmxr/C-LARA/images/image_repository_orm/Ça_va__12/p.png'],
  ['orm_image_metadata', ''],
  ['clara_app_archivedimagemetadata', '/home/stm-admmxr/C-LARA/images/image_repository_orm/P/a.png'],
  ['orm_image_gloss_metadata', '/home/stm-admmxr/C-LARA/gloss_images/image_repository_orm/kok kaper/any/9e/x.jpg'],
]

let src: ScratchDb
let dst: ScratchDb

t.before(async () => {
  src = await createMysqlDb('clara_restore')
  dst = await createMysqlDb('clara_restore')
  const db = await openDb(src.url)
  for (const table of new Set(ROWS.map(([tb]) => tb))) {
    const type = table === 'clara_app_archivedimagemetadata' ? 'varchar(200)' : 'longtext'
    await db.exec(`create table \`${table}\` (id bigint primary key auto_increment, file_path ${type} not null, note longtext) character set utf8mb4`)
  }
  await db.exec("create table clara_app_taskupdate (id bigint primary key, message varchar(1024)) character set utf8mb4")
  await db.query('insert into clara_app_taskupdate values (1, ?)', ['Exported to /home/stm-admmxr/C-LARA/tmp/x.zip'])
  for (const [table, p] of ROWS) await db.query(`insert into \`${table}\` (file_path, note) values (?, ?)`, [p, 'a\nb'])
  await db.close()
})
t.teardown(async () => {
  await src?.drop()
  await dst?.drop()
})

t.test('MariaDB dump → restore → paths rewritten', async (t) => {
  const run = t.testdir({})
  const d = await node('pgdump', ['--db', src.url, '--dest', run, '--quiet'])
  t.equal(d.code, 0, d.stderr)
  const to = path.join(run, '..', 'new-root')
  const r = await runMain(main, { argv: [run, '--to', to, '--db', dst.url, '--quiet'] })
  t.equal(r.code, 0, r.stderr)
  const db = await openDb(dst.url, { readonly: true })
  const got = []
  for (const table of new Set(ROWS.map(([tb]) => tb))) got.push(...(await db.query<{ p: string; n: string }>(`select file_path as p, note as n from \`${table}\` order by id`)))
  await db.close()
  const want = [
    `${to}/audio/tts_repository_orm/google/en-GB/v/a'b.mp3`, `${to}/audio/tts_repository_orm/google/x.mp3`, `${to}/audio/tts_repository_orm/openai/french/alloy/s3.mp3`,
    `${to}/audio/tts_repository_orm/openai/french/alloy/var.mp3`, `${to}/images/image_repository_orm/Ça_va__12/p.png`, '',
    `${to}/images/image_repository_orm/P/a.png`, `${to}/gloss_images/image_repository_orm/kok kaper/any/9e/x.jpg`,
  ]
  t.same(got.map((x) => x.p), want, 'every style rewritten, non-ASCII and quotes intact')
  t.ok(got.every((x) => x.n === 'a\nb'), 'other columns as they were')
  const summary = r.records.find((x) => x.type === 'summary') as Record<string, unknown>
  t.equal(summary.proof, true)
  const report = JSON.parse(await fsp.readFile(path.join(to, 'restore_report.json'), 'utf8'))
  t.equal(report.preflight.db_values, 7, 'the pre-flight read every non-empty path from the dump itself')
  t.same(report.incidental, { 'clara_app_taskupdate.message': 1 }, 'incidental text reported')
})

t.test('a cross-engine target is refused before anything is written', async (t) => {
  const run = t.testdir({})
  await node('pgdump', ['--db', src.url, '--dest', run, '--quiet'])
  const r = await runMain(main, { argv: [run, '--to', path.join(run, '..', 'x'), '--db', `sqlite://${path.join(run, '..', 'x.sqlite3')}`, '--quiet'] })
  t.equal(r.code, 2)
  t.match(r.stderr, /the dump is mysql but --db is sqlite: cross-engine restores are not supported/)
})
