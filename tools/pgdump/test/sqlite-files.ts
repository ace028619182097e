import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { createPgDb, runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { loadFixture, toolEnv } from './helpers.js'

t.test('--sqlite-files: the fixture audio DBs go to audio_cache/orm_db/ with db_metadata.json; absent ones are recorded', async (t) => {
  const dir = t.testdir()
  const clara = path.join(dir, 'clara')
  const pg = await createPgDb('pgdump_files') // the fixture tree is the same; PostgreSQL just loads faster
  t.teardown(() => pg.drop())
  await loadFixture(clara, pg.url)
  const present = path.join(clara, 'audio', 'tts_metadata_local.db')
  const absent = path.join(clara, 'audio', 'tts_metadata.db')
  const run = path.join(dir, 'run')
  const r = await runMain(main, { argv: ['--sqlite-files', `${absent},${present}`, '--dest', run], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
  const orm = path.join(run, 'audio_cache', 'orm_db')
  t.same(readdirSync(orm).sort(), ['db_metadata.json', 'tts_metadata_local.db'])
  t.same(r.records.map((x) => x.type), ['artifact', 'summary', 'end'])
  t.match(r.records[0], { domain: 'audio_cache', unit: 'orm_db/tts_metadata_local.db', path: 'audio_cache/orm_db/tts_metadata_local.db' })
  t.match(r.records[1], { ok: 1, failed: 0, absent: 1 })
  const meta = JSON.parse(readFileSync(path.join(orm, 'db_metadata.json'), 'utf8'))
  t.same(meta.files[0], { name: 'tts_metadata.db', source: absent, present: false })
  const f = meta.files[1]
  t.match(f, { name: 'tts_metadata_local.db', present: true, integrity: 'ok', sha256: (r.records[0] as { sha256: string }).sha256 })
  t.equal(f.tables.metadata.rows, 2, 'facts §9: table metadata, 2 rows')
  t.match(f.schema.find((o: { name: string }) => o.name === 'metadata').sql, /context TEXT/)
  const src = await openDb(`sqlite://${present}`)
  t.same(await hashTables(src), f.tables, 'hashes equal the source')
  await src.close()
})

t.test('--sqlite-files: a file that is not a database is an error record (exit 1); the others still go', async (t) => {
  const dir = t.testdir({ 'bad.db': 'this is not sqlite, just text long enough to look like a header.............................................' })
  const good = path.join(dir, 'good.db')
  const db = await openDb(`sqlite://${good}`, { readonly: false })
  await db.exec("create table m (id integer primary key, t text); insert into m (t) values ('a')")
  await db.close()
  const out = path.join(dir, 'out')
  const r = await runMain(main, { argv: ['--sqlite-files', path.join(dir, 'bad.db'), '--sqlite-files', good, '--out-dir', out], env: toolEnv() })
  t.equal(r.code, 1)
  t.same(r.records.map((x) => x.type), ['error', 'artifact', 'summary', 'end'])
  t.match(r.records[0], { during: 'copy', item: path.join(dir, 'bad.db') })
  t.same(readdirSync(out).sort(), ['db_metadata.json', 'good.db'], 'no temp file of the failed copy')
  const meta = JSON.parse(readFileSync(path.join(out, 'db_metadata.json'), 'utf8'))
  t.match(meta.files[0], { name: 'bad.db', present: true, error: /./ })
  t.match(r.records[1], { path: 'out/good.db' }, 'paths relative to the parent of --out-dir')
})

t.test('--sqlite-files: all absent still writes db_metadata.json saying so, exit 0', async (t) => {
  const dir = t.testdir()
  const r = await runMain(main, { argv: ['--sqlite-files', path.join(dir, 'nope.db'), '--dest', dir], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
  const meta = JSON.parse(readFileSync(path.join(dir, 'audio_cache', 'orm_db', 'db_metadata.json'), 'utf8'))
  t.same(meta.files, [{ name: 'nope.db', source: path.join(dir, 'nope.db'), present: false }])
})
