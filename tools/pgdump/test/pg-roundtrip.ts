import t from 'tap'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { createPgDb, runMain } from '@clara/shared/testkit'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { filesUnder, loadFixture, readMetadata, toolEnv } from './helpers.js'

t.test('PostgreSQL: the C-LARA fixture dumps, lists, restores into a scratch DB with equal counts and hashes', async (t) => {
  const src = await createPgDb('pgdump_src')
  const dst = await createPgDb('pgdump_dst')
  t.teardown(async () => {
    await src.drop()
    await dst.drop()
  })
  const dir = t.testdir()
  await loadFixture(path.join(dir, 'clara'), src.url)
  const run = path.join(dir, 'run')

  const r = await runMain(main, { argv: ['--db', src.url, '--dest', run, '--timestamp', '20250102_030405'], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stderr, '', 'silent on success')
  const dump = path.join(run, 'db', 'clara_db_20250102_030405.dump')
  t.same(filesUnder(run).map((f) => path.relative(run, f)).sort(), [
    'db/clara_db_20250102_030405.db_metadata.json',
    'db/clara_db_20250102_030405.dump',
    'db/index.json',
  ])
  t.equal(statSync(dump).mode & 0o777, 0o640)

  // records: artifact, summary, end
  t.same(r.records.map((x) => x.type), ['artifact', 'summary', 'end'])
  const art = r.records[0] as Record<string, any>
  t.match(art, { domain: 'db', unit: 'clara_db_20250102_030405.dump', path: 'db/clara_db_20250102_030405.dump', engine: 'postgres', size_bytes: statSync(dump).size })

  // metadata: versions, migrations head, counts and hashes
  const { meta } = readMetadata(path.join(run, 'db'))
  t.match(meta, { version: 1, engine: 'postgres', dump: 'clara_db_20250102_030405.dump', sha256: art.sha256, size_bytes: art.size_bytes })
  t.match(meta.server_version, /^\d+\.\d+/)
  t.match(meta.dump_tool.version, /pg_dump \(PostgreSQL\) \d+/)
  t.equal(meta.django_migrations.apps.clara_app.name, '0103_claraproject_picture_gloss_style_and_more')
  t.equal(meta.django_migrations.count, 135)
  t.equal(Object.keys(meta.tables).length, 60, 'all 60 C-LARA tables')
  t.ok(meta.tables.clara_app_claraproject.rows > 0, 'fixture projects are counted')
  t.ok(meta.tables.orm_audio_metadata.rows > 0)

  const index = JSON.parse(readFileSync(path.join(run, 'db', 'index.json'), 'utf8'))
  t.same(index, {
    version: 1,
    entries: [{ name: art.unit, path: art.path, size_bytes: art.size_bytes, sha256: art.sha256, engine: 'postgres', updated_at: meta.created_at, metadata: 'db/clara_db_20250102_030405.db_metadata.json' }],
  })

  const list = await spawnTool('pg_restore', ['--list', dump])
  t.equal(list.code, 0, 'pg_restore --list')
  t.match(list.stdout, /TABLE DATA public clara_app_claraproject/)

  const restore = await spawnTool('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', '-d', dst.url, dump])
  t.equal(restore.code, 0, restore.stderr)
  const db = await openDb(dst.url)
  const restored = await hashTables(db)
  await db.close()
  for (const [name, h] of Object.entries(restored)) t.same({ rows: h.rows, sha256: h.sha256 }, { rows: meta.tables[name].rows, sha256: meta.tables[name].sha256 }, name)
  t.same(Object.keys(restored), Object.keys(meta.tables))

  // and the source itself hashes to the same values
  const s = await openDb(src.url)
  t.same(await hashTables(s), meta.tables, 'source hashes equal the metadata')
  await s.close()
})

t.test('a second dump in the same db/ keeps one metadata file per dump and both in index.json', async (t) => {
  const src = await createPgDb('pgdump_two')
  t.teardown(() => src.drop())
  const run = t.testdir()
  const db = await openDb(src.url)
  await db.exec('create table t (id bigint primary key, v text); insert into t values (1, \'a\')')
  await db.close()
  for (const ts of ['20250101_000000', '20250101_000001']) {
    const r = await runMain(main, { argv: ['--db', src.url, '--dest', run, '--timestamp', ts], env: toolEnv() })
    t.equal(r.code, 0, r.stderr)
  }
  const index = JSON.parse(readFileSync(path.join(run, 'db', 'index.json'), 'utf8'))
  t.same(index.entries.map((e: { name: string }) => e.name), ['clara_db_20250101_000000.dump', 'clara_db_20250101_000001.dump'])
  t.equal(filesUnder(path.join(run, 'db')).filter((f) => f.endsWith('.db_metadata.json')).length, 2)
})
