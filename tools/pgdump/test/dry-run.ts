/**
 * --dry-run on real SQLite, PostgreSQL and MariaDB: every check of a real run (connection, tools,
 * versions, tables), the records a real run gives with planned: true and an estimated size, and not
 * one byte written: --dest is unchanged down to its directories' mtimes, no db/ folder, no temp file.
 * Failures end as a real run's do, with no password anywhere.
 */
import t from 'tap'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { sha256 } from '@clara/shared/hash'
import { createMysqlDb, createPgDb, MYSQL_ADMIN_URL, repoRoot, runMain } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { leaks, toolEnv } from './helpers.js'

const TS = '20250102_030405'

/** Every entry under `dir` (itself included): mode, mtime, and for a file its size and sha256. Equal: untouched. */
function treeState(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (p: string, rel: string) => {
    const st = lstatSync(p, { bigint: true })
    out[rel] = `${st.mode} ${st.mtimeNs}${st.isFile() ? ` ${st.size} ${sha256(readFileSync(p))}` : ''}`
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(path.join(p, n), `${rel}/${n}`)
  }
  walk(dir, '.')
  return out
}

let runs = 0
/** A new run directory under `base` that already holds something, as a backup run's does when the db domain starts. */
function runDir(base: string): string {
  const run = path.join(base, `run${++runs}`)
  mkdirSync(path.join(run, 'media'), { recursive: true })
  writeFileSync(path.join(run, 'notes.txt'), 'already here\n')
  writeFileSync(path.join(run, 'media', 'a.txt'), 'a')
  return run
}

const dry = (argv: string[], env = toolEnv()) => runMain(main, { argv: [...argv, '--dry-run'], env })
const noSha = (x: Record<string, unknown>) => !('sha256' in x)

t.test('SQLite: the planned record of the dump, its size the file size; nothing written, the source untouched', async (t) => {
  const dir = t.testdir({ src: {} })
  const file = path.join(dir, 'src', 'clara.sqlite3')
  const db = await openDb(`sqlite://${file}`, { readonly: false })
  await db.exec(`create table item (id integer primary key, name text); create table django_migrations (id integer primary key, app text, name text, applied text);
    insert into item (name) values ('a'), ('b'), ('c'); insert into django_migrations (app, name, applied) values ('shop', '0001_initial', '2024-01-01 00:00:00')`)
  await db.close()
  const run = runDir(dir)
  const before = treeState(run)
  const source = treeState(path.join(dir, 'src'))
  const r = await dry(['--db', `sqlite://${file}`, '--dest', run, '--timestamp', TS])
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.map((x) => x.type), ['artifact', 'summary', 'end'])
  const [a, s] = r.records as Record<string, any>[]
  t.match(a, {
    domain: 'db', unit: `clara_db_${TS}.sqlite3`, path: `db/clara_db_${TS}.sqlite3`, metadata: `db/clara_db_${TS}.db_metadata.json`,
    engine: 'sqlite', tables: 2, rows: 4, planned: true, size_estimated: true,
  })
  t.equal(a.size_bytes, statSync(file).size, 'size estimate: the SQLite file')
  t.ok(a.size_bytes > 0)
  t.ok(noSha(a), 'no sha256: nothing was hashed')
  t.match(s, { tool: 'clara-pgdump', ok: 1, failed: 0, bytes: a.size_bytes, planned: true })
  t.same(treeState(run), before, '--dest byte-for-byte unchanged')
  t.notOk(existsSync(path.join(run, 'db')), 'not even a db/ folder')
  t.same(treeState(path.join(dir, 'src')), source, 'the source folder unchanged')

  const real = await runMain(main, { argv: ['--db', `sqlite://${file}`, '--dest', run, '--timestamp', TS], env: toolEnv() })
  t.equal(real.code, 0, real.stderr)
  const { sha256: digest, size_bytes, updated_at, ...same } = real.records[0] as Record<string, any>
  t.match(digest, /^[0-9a-f]{64}$/)
  t.match(a, same, 'the planned record is the real one, but for planned, size and sha256')
})

t.test('SQLite: a missing source ends a dry run as it ends a real run (exit 3), nothing written', async (t) => {
  const run = runDir(t.testdir())
  const before = treeState(run)
  const argv = ['--db', `sqlite://${path.join(path.dirname(run), 'nope.sqlite3')}`, '--dest', run]
  const d = await dry(argv)
  t.equal(d.code, 3)
  t.equal(d.stdout, '', 'no records')
  t.same(treeState(run), before, 'nothing written')
  const real = await runMain(main, { argv, env: toolEnv() })
  t.equal(real.code, d.code)
  t.equal(real.stderr, d.stderr, 'the same message')
})

t.test('--sqlite-files: planned copies, an absent file counted, an unreadable one an error (exit 1), as in a real run', async (t) => {
  const dir = t.testdir({ in: { 'bad.db': 'this is not sqlite, just text long enough to look like a header.............................................' } })
  const good = path.join(dir, 'in', 'good.db')
  const db = await openDb(`sqlite://${good}`, { readonly: false })
  await db.exec("create table m (id integer primary key, t text); insert into m (t) values ('a'), ('b')")
  await db.close()
  const run = runDir(dir)
  const before = treeState(run)
  const inputs = treeState(path.join(dir, 'in'))
  const files = ['bad.db', 'nope.db', 'good.db'].map((n) => path.join(dir, 'in', n)).join(',')
  const r = await dry(['--sqlite-files', files, '--dest', run])
  t.equal(r.code, 1, 'the unreadable file: exit 1')
  t.same(r.records.map((x) => x.type), ['error', 'artifact', 'summary', 'end'])
  const [e, a, s] = r.records as Record<string, any>[]
  t.match(e, { during: 'copy', item: path.join(dir, 'in', 'bad.db'), domain: 'audio_cache', unit: 'orm_db/bad.db' })
  t.match(a, { domain: 'audio_cache', unit: 'orm_db/good.db', path: 'audio_cache/orm_db/good.db', engine: 'sqlite', planned: true, size_bytes: statSync(good).size })
  t.ok(noSha(a))
  t.match(s, { ok: 1, failed: 1, absent: 1, planned: true })
  t.same(treeState(run), before, '--dest byte-for-byte unchanged: no audio_cache/, no db_metadata.json')
  t.same(treeState(path.join(dir, 'in')), inputs, 'the inputs unchanged')

  const real = await runMain(main, { argv: ['--sqlite-files', files, '--dest', run], env: toolEnv() })
  t.equal(real.code, r.code)
  t.same(real.records.map((x) => x.type), r.records.map((x) => x.type), 'a real run gives the same records')
  const where = (x: any) => x.path ?? x.item ?? null
  t.same(real.records.map(where), r.records.map(where))
})

t.test('PostgreSQL: tables and rows from one snapshot, pg_database_size() as the estimate; nothing written', async (t) => {
  const pg = await createPgDb('pgdump_dry')
  t.teardown(() => pg.drop())
  const db = await openDb(pg.url)
  await db.exec(`create table notes (id bigint primary key, body text); insert into notes select g, repeat('x', 50) from generate_series(1, 500) g;
    create table tags (code text primary key); insert into tags values ('a'), ('b');
    create table django_migrations (id serial primary key, app text, name text, applied timestamptz); insert into django_migrations (app, name, applied) values ('core', '0001_initial', now())`)
  const [{ n }] = await db.query<{ n: string }>('select pg_database_size(current_database()) as n')
  await db.close()
  const run = runDir(t.testdir())
  const before = treeState(run)
  const r = await dry(['--db', pg.url, '--dest', run, '--timestamp', TS])
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.map((x) => x.type), ['artifact', 'summary', 'end'])
  const [a, s] = r.records as Record<string, any>[]
  t.match(a, { domain: 'db', unit: `clara_db_${TS}.dump`, path: `db/clara_db_${TS}.dump`, metadata: `db/clara_db_${TS}.db_metadata.json`, engine: 'postgres', tables: 3, rows: 503, planned: true })
  t.ok(a.size_bytes > 0)
  t.ok(Math.abs(a.size_bytes - Number(n)) < Number(n) / 10, `about pg_database_size() (${a.size_bytes} vs ${n})`)
  t.ok(noSha(a))
  t.match(s, { ok: 1, failed: 0, planned: true })
  t.same(treeState(run), before, '--dest byte-for-byte unchanged')
  t.notOk(existsSync(path.join(run, 'db')))
})

t.test('PostgreSQL: the checks before writing are made; each failure ends a dry run as it ends a real run', async (t) => {
  const pg = await createPgDb('pgdump_dry_fail')
  t.teardown(() => pg.drop())
  const secret = `Pw-${process.pid}-dry!x`
  const base = t.testdir({ bin: {} })
  const emptyBin = base
  const cases: Record<string, string[]> = {
    'pg_dump older than the server': ['--db', pg.url, '--assume-server-version', '99.0'],
    'no pg_dump': ['--db', pg.url, '--bin-dir', path.join(emptyBin, 'bin')],
    'closed port': ['--db', `postgres://someone:${encodeURIComponent(secret)}@127.0.0.1:1/x`],
    'no such role': ['--db', pg.url.replace('postgres@', `clara_no_such_role:${encodeURIComponent(secret)}@`)],
    'no such database': ['--db', pg.url.replace(/\/[^/]*$/, '/clara_no_such_db').replace('postgres@', `postgres:${encodeURIComponent(secret)}@`)],
  }
  for (const [what, argv] of Object.entries(cases)) {
    const run = runDir(base)
    const before = treeState(run)
    const d = await dry([...argv, '--dest', run])
    const real = await runMain(main, { argv: [...argv, '--dest', path.join(path.dirname(run), 'real')], env: toolEnv() })
    t.equal(d.code, 3, `${what}: exit 3`)
    t.equal(real.code, d.code, `${what}: as a real run`)
    t.equal(d.stderr, real.stderr.split(path.join(path.dirname(run), 'real')).join(run), `${what}: the same one line`)
    t.equal(d.stderr.trim().split('\n').length, 1, `${what}: one line`)
    t.equal(d.stdout, '', `${what}: no records`)
    t.same(leaks(secret, { stdout: d.stdout, stderr: d.stderr }, [run]), [], `${what}: no password anywhere`)
    t.same(treeState(run), before, `${what}: nothing written`)
  }
  t.match((await dry(['--db', pg.url, '--dest', runDir(base), '--assume-server-version', '99.0'])).stderr, /pg_dump .* is older than the PostgreSQL server 99\.0/)
  t.match((await dry(['--db', pg.url, '--dest', runDir(base), '--bin-dir', path.join(emptyBin, 'bin')])).stderr, /pg_dump not found/)
})

const MYSQL_SCHEMA = `
create table item (id bigint primary key auto_increment, name varchar(100) not null, body text);
create table tag (code varchar(20) primary key, label text);
create table loose (a int, b varchar(10));
insert into item (name, body) values ('one', repeat('x', 1000)), ('two', null);
insert into tag values ('b', 'Bé'), ('a', null);
insert into loose values (2, 'y'), (1, 'x'), (1, 'x');
`

t.test('MariaDB: the planned record, data_length as the estimate; nothing written, no temp file; a bad password as in a real run', async (t) => {
  const src = await createMysqlDb('pgdump_dry')
  const user = `clara_dry_${process.pid}`
  const secret = `My-${process.pid}-dry!w`
  const admin = await openDb(MYSQL_ADMIN_URL)
  await admin.exec(`drop user if exists '${user}'@'%'; create user '${user}'@'%' identified by '${secret}'; grant all on \`${src.name}\`.* to '${user}'@'%'`)
  t.teardown(async () => {
    await admin.exec(`drop user if exists '${user}'@'%'`)
    await admin.close()
    await src.drop()
  })
  const db = await openDb(src.url)
  await db.exec(MYSQL_SCHEMA)
  const [{ n }] = await db.query<{ n: unknown }>('select sum(data_length) as n from information_schema.tables where table_schema = database()')
  await db.close()
  const withPw = `mysql://${user}:${encodeURIComponent(secret)}@127.0.0.1:3306/${src.name}`

  const base = t.testdir({ tmp: {} })
  const run = runDir(base)
  const before = treeState(run)
  const r = await dry(['--db', withPw, '--dest', run, '--timestamp', TS])
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.map((x) => x.type), ['artifact', 'summary', 'end'])
  const [a, s] = r.records as Record<string, any>[]
  t.match(a, { domain: 'db', unit: `clara_db_${TS}.sql`, path: `db/clara_db_${TS}.sql`, metadata: `db/clara_db_${TS}.db_metadata.json`, engine: 'mysql', tables: 3, rows: 7, planned: true })
  t.equal(a.size_bytes, Number(n), 'size estimate: the sum of data_length')
  t.ok(a.size_bytes > 0)
  t.ok(noSha(a))
  t.match(s, { ok: 1, failed: 0, planned: true })
  t.same(treeState(run), before, '--dest byte-for-byte unchanged')
  t.same(leaks(secret, { stdout: r.stdout, stderr: r.stderr }, [run]), [])

  // The password would reach mysqldump through a temp defaults file: a dry run makes none.
  const tmp = base
  const bin = path.join(repoRoot(), 'tools', 'pgdump', 'bin.js')
  const spawned = await spawnTool('node', [bin, '--db', withPw, '--dest', run, '--dry-run'], { env: childEnv({ TMPDIR: path.join(tmp, 'tmp') }) })
  t.equal(spawned.code, 0, spawned.stderr)
  t.same(readdirSync(path.join(tmp, 'tmp')), [], 'no temp file')
  t.same(treeState(run), before)

  const wrong = `mysql://${user}:wrong-${encodeURIComponent(secret)}@127.0.0.1:3306/${src.name}`
  const d = await dry(['--db', wrong, '--dest', run])
  const realRun = path.join(path.dirname(run), 'real')
  const real = await runMain(main, { argv: ['--db', wrong, '--dest', realRun], env: toolEnv() })
  t.equal(d.code, 3, 'wrong password: exit 3')
  t.equal(real.code, 3, 'as a real run')
  t.match(d.stderr, /Access denied/)
  t.equal(d.stderr.trim().split('\n').length, 1)
  t.equal(d.stderr, real.stderr.split(realRun).join(run), 'the same line')
  t.same(leaks(secret, { stdout: d.stdout, stderr: d.stderr }, [run]), [], 'no password anywhere')
  t.same(treeState(run), before, 'nothing written')
})
