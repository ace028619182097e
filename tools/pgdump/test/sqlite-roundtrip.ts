import t from 'tap'
import { spawn } from 'node:child_process'
import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { runMain } from '@clara/shared/testkit'
import { childEnv, sharedModule, writeScript } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { loadFixture, readMetadata, toolEnv } from './helpers.js'

/** A database with enough pages that a copy takes several steps, in WAL mode. */
async function makeDb(file: string): Promise<void> {
  const db = await openDb(`sqlite://${file}`, { readonly: false })
  await db.exec(`pragma journal_mode = wal;
    create table a (id integer primary key, v text not null);
    create table b (id integer primary key, v text not null);
    create table typed (id integer primary key, flag bool, at datetime, price decimal, doc json, raw blob);`)
  await db.exec('begin')
  for (let i = 0; i < 3000; i++) await db.query('insert into a (v) values (?)', ['x'.repeat(200) + i])
  for (let i = 0; i < 3000; i++) await db.query('insert into b (v) values (?)', ['y'.repeat(200) + i])
  await db.query('insert into typed values (1, 1, ?, 10.5, ?, ?)', ['2024-01-31 12:00:00.123456', '{"b":1,"a":[2,"ü"]}', Buffer.from([0, 1, 254])])
  await db.query('insert into typed values (2, 0, null, null, null, null)')
  await db.exec('commit')
  await db.close()
}

/** A child that inserts one row into a and one into b per transaction, forever, never checkpointing. */
function startWriter(dir: string, file: string) {
  const script = writeScript(dir, 'writer', `
    import { openDb } from ${JSON.stringify(sharedModule('db'))}
    const db = await openDb(${JSON.stringify(`sqlite://${file}`)}, { readonly: false })
    await db.exec('pragma journal_mode = wal; pragma wal_autocheckpoint = 0; pragma busy_timeout = 5000')
    for (let i = 0; ; i++) {
      await db.exec("begin immediate; insert into a (v) values ('w" + i + "'); insert into b (v) values ('w" + i + "'); commit")
      if (i === 200) process.stdout.write('ready\\n')
      if (i % 50 === 0) await new Promise((r) => setImmediate(r))
    }
  `)
  const child = spawn('node', [script], { env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] })
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c) => c.toString().includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)))
  })
  ready.catch(() => {})
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  return { ready, stop }
}

async function count(file: string, table: string): Promise<number> {
  const db = await openDb(`sqlite://${file}`)
  const [r] = await db.query<{ n: number }>(`select count(*) as n from ${table}`)
  await db.close()
  return r.n
}

t.test('SQLite: online backup while another connection writes in WAL mode; integrity ok; restored copy hashes equal', async (t) => {
  const dir = t.testdir({ clara: {} })
  const src = path.join(dir, 'clara', 'db.sqlite3')
  await makeDb(src)
  const writer = startWriter(dir, src)
  t.teardown(() => writer.stop())
  await writer.ready
  const before = await count(src, 'a')
  const run = path.join(dir, 'run')
  const r = await runMain(main, { argv: ['--db', `sqlite://${src}`, '--dest', run, '--timestamp', '20250102_030405'], env: toolEnv() })
  await writer.stop()
  t.equal(r.code, 0, r.stderr)
  const copy = path.join(run, 'db', 'clara_db_20250102_030405.sqlite3')
  t.same(readdirSync(path.join(run, 'db')).sort(), ['clara_db_20250102_030405.db_metadata.json', 'clara_db_20250102_030405.sqlite3', 'index.json'], 'no -wal/-shm beside the copy')
  const { meta } = readMetadata(path.join(run, 'db'))
  t.match(meta, { engine: 'sqlite', checks: { integrity_check: 'ok' }, size_bytes: statSync(copy).size })
  const inCopy = meta.tables.a.rows
  t.ok(inCopy >= before, `the copy has the rows written so far (${inCopy} ≥ ${before}), WAL included`)
  t.equal(meta.tables.b.rows, inCopy, 'a consistent snapshot: every transaction is wholly in or out')
  t.ok((await count(src, 'a')) > inCopy, 'the writer went on writing during and after the backup')

  // restore = copy the file into place, then integrity_check, then compare with the metadata
  const restored = path.join(dir, 'restored.sqlite3')
  copyFileSync(copy, restored)
  const db = await openDb(`sqlite://${restored}`)
  t.same(await db.query('pragma integrity_check'), [{ integrity_check: 'ok' }])
  t.same(await hashTables(db), meta.tables)
  await db.close()
})

t.test('the -wal file matters: rows only in the WAL are in the backup, not in a plain copy of the main file', async (t) => {
  const dir = t.testdir({ clara: {} })
  const src = path.join(dir, 'clara', 'db.sqlite3')
  await makeDb(src)
  const w = await openDb(`sqlite://${src}`, { readonly: false })
  t.teardown(() => w.close())
  await w.exec('pragma wal_autocheckpoint = 0')
  await w.exec('begin')
  for (let i = 0; i < 100; i++) await w.query('insert into a (v) values (?)', ['late' + i])
  await w.exec('commit')
  t.ok(statSync(src + '-wal').size > 0, 'rows sit in the WAL')
  const run = path.join(dir, 'run')
  const r = await runMain(main, { argv: ['--db', `sqlite://${src}`, '--dest', run], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
  t.equal(readMetadata(path.join(run, 'db')).meta.tables.a.rows, 3100)
  const naive = path.join(dir, 'naive.sqlite3')
  copyFileSync(src, naive)
  t.equal(await count(naive, 'a'), 3000, 'cp of the main file alone loses the WAL rows')
})

t.test('the source is only read: a rollback-journal database is byte-identical and nothing appears beside it', async (t) => {
  const dir = t.testdir()
  const clara = path.join(dir, 'clara')
  await loadFixture(clara, `sqlite://${path.join(clara, 'db.sqlite3')}`)
  const src = path.join(clara, 'db.sqlite3')
  const bytes = readFileSync(src)
  const mtime = statSync(src).mtimeMs
  const listing = readdirSync(clara).sort()
  const run = path.join(dir, 'run')
  const r = await runMain(main, { argv: ['--db', `sqlite://${src}`, '--dest', run], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
  t.ok(readFileSync(src).equals(bytes), 'source bytes unchanged')
  t.equal(statSync(src).mtimeMs, mtime)
  t.same(readdirSync(clara).sort(), listing, 'no -journal/-wal/-shm left in the install')
  const { meta } = readMetadata(path.join(run, 'db'))
  t.equal(meta.django_migrations.apps.clara_app.name, '0103_claraproject_picture_gloss_style_and_more')
  t.equal(Object.keys(meta.tables).length, 60)
  const db = await openDb(`sqlite://${src}`)
  t.same(await hashTables(db), meta.tables, 'the fixture hashes equal the metadata')
  await db.close()
})

t.test('a dump left without its metadata by an interrupted run is removed by the next dump; finished dumps stay', async (t) => {
  const dir = t.testdir({ run: { db: {} } })
  const src = path.join(dir, 'src.sqlite3')
  await makeDb(src)
  const db = path.join(dir, 'run', 'db')
  const run = (ts: string) => runMain(main, { argv: ['--db', `sqlite://${src}`, '--dest', path.join(dir, 'run'), '--timestamp', ts], env: toolEnv() })
  t.equal((await run('20250101_000000')).code, 0)
  copyFileSync(path.join(db, 'clara_db_20250101_000000.sqlite3'), path.join(db, 'clara_db_20250101_000001.sqlite3')) // killed before its metadata
  const r = await run('20250101_000002')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /clara_db_20250101_000001\.sqlite3: removed, a dump without its metadata left by an interrupted run/)
  t.same(readdirSync(db).sort(), [
    'clara_db_20250101_000000.db_metadata.json', 'clara_db_20250101_000000.sqlite3',
    'clara_db_20250101_000002.db_metadata.json', 'clara_db_20250101_000002.sqlite3', 'index.json',
  ])
})
