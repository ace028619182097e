import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { createPgDb, repoRoot, runMain } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { toolEnv } from './helpers.js'

t.test('--help: usage on stdout, exit 0, the hidden test flag not shown', async (t) => {
  const r = await runMain(main, { argv: ['--help'] })
  t.equal(r.code, 0)
  t.match(r.stdout, /--db URL --dest DIR/)
  t.match(r.stdout, /--sqlite-files/)
  t.notMatch(r.stdout, /assume-server-version/)
  t.equal(r.stderr, '')
})

t.test('usage errors: exit 2, nothing written', async (t) => {
  const dir = t.testdir()
  const dest = path.join(dir, 'run')
  const cases: Record<string, string[]> = {
    'no --dest': ['--db', 'sqlite:///x.db'],
    'no --db, no DATABASE_URL': ['--dest', dest],
    'bad --timestamp': ['--db', 'sqlite:///x.db', '--dest', dest, '--timestamp', '2025-01-01'],
    'impossible --timestamp': ['--db', 'sqlite:///x.db', '--dest', dest, '--timestamp', '20251301_000000'],
    'unknown scheme': ['--db', 'oracle://h/x', '--dest', dest],
    'both modes': ['--db', 'sqlite:///x.db', '--sqlite-files', 'a.db', '--dest', dest],
    'same base name twice': ['--sqlite-files', 'a/x.db,b/x.db', '--dest', dest],
    'unknown flag': ['--db', 'sqlite:///x.db', '--dest', dest, '--bogus'],
  }
  for (const [what, argv] of Object.entries(cases)) {
    const r = await runMain(main, { argv, env: toolEnv() })
    t.equal(r.code, 2, `${what}: exit 2 (${r.stderr.trim().split('\n').pop()})`)
    t.equal(r.stdout, '', `${what}: no records`)
  }
  t.notOk(existsSync(dest))
})

/** A one-row SQLite database `dir/c.sqlite3`; its path. */
async function oneRowDb(dir: string): Promise<string> {
  const file = path.join(dir, 'c.sqlite3')
  const db = await openDb(`sqlite://${file}`, { readonly: false })
  await db.exec('create table x (id integer primary key); insert into x values (1)')
  await db.close()
  return file
}

t.test('DATABASE_URL is the default --db; --out-dir picks the exact folder', async (t) => {
  const dir = t.testdir()
  const file = await oneRowDb(dir)
  const out = path.join(dir, 'run', 'elsewhere')
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'run'), '--out-dir', out, '--timestamp', '20240101_000000'], env: toolEnv({ DATABASE_URL: `sqlite://${file}` }) })
  t.equal(r.code, 0, r.stderr)
  t.same(readdirSync(out).sort(), ['clara_db_20240101_000000.db_metadata.json', 'clara_db_20240101_000000.sqlite3', 'index.json'])
  t.match(r.records[0], { type: 'artifact', path: 'elsewhere/clara_db_20240101_000000.sqlite3', engine: 'sqlite' })
})

t.test('--replace: the new dump replaces the others in db/ (a rerun into a run); without it they stay', async (t) => {
  const dir = t.testdir()
  const file = await oneRowDb(dir)
  const run = path.join(dir, 'run')
  const dump = (ts: string, ...more: string[]) => runMain(main, { argv: ['--db', `sqlite://${file}`, '--dest', run, '--timestamp', ts, ...more], env: toolEnv() })
  t.equal((await dump('20240101_000000')).code, 0)
  t.equal((await dump('20240102_000000')).code, 0)
  t.equal(readdirSync(path.join(run, 'db')).filter((n) => n.endsWith('.sqlite3')).length, 2, 'without --replace: two dumps')
  const r = await dump('20240103_000000', '--replace')
  t.equal(r.code, 0, r.stderr)
  t.same(readdirSync(path.join(run, 'db')).sort(), ['clara_db_20240103_000000.db_metadata.json', 'clara_db_20240103_000000.sqlite3', 'index.json'])
  t.match(r.stderr, /clara_db_20240101_000000.sqlite3: removed, replaced by clara_db_20240103_000000.sqlite3/)
  const index = JSON.parse(readFileSync(path.join(run, 'db/index.json'), 'utf8'))
  t.same(index.entries.map((e: { name: string }) => e.name), ['clara_db_20240103_000000.sqlite3'])
})

t.test('a missing dump tool: one line, exit 3, nothing written', async (t) => {
  const pg = await createPgDb('pgdump_main')
  t.teardown(() => pg.drop())
  const dir = t.testdir()
  const r = await runMain(main, { argv: ['--db', pg.url, '--dest', path.join(dir, 'run'), '--bin-dir', path.join(dir, 'nope')], env: toolEnv() })
  t.equal(r.code, 3)
  t.match(r.stderr, /pg_dump not found/)
  t.equal(r.stderr.trim().split('\n').length, 1)
  t.notOk(existsSync(path.join(dir, 'run')))
})

t.test('a SQLite file that does not exist or is not a database: exit 3, nothing written', async (t) => {
  const dir = t.testdir({ 'text.db': 'plain text, not a database at all; long enough to have a header of sorts.......................................' })
  for (const f of ['missing.sqlite3', 'text.db']) {
    const r = await runMain(main, { argv: ['--db', `sqlite://${path.join(dir, f)}`, '--dest', path.join(dir, 'run')], env: toolEnv() })
    t.equal(r.code, 3, f)
    t.equal(r.stderr.trim().split('\n').length, 1, `${f}: one line`)
    t.notOk(existsSync(path.join(dir, 'run')), `${f}: nothing written`)
  }
})

t.test('scripts/backup_db.sh: DEST + DATABASE_URL (or CLARA) from the environment, records on stdout', async (t) => {
  const dir = t.testdir({ clara: {} })
  const file = path.join(dir, 'clara', 'db.sqlite3')
  const db = await openDb(`sqlite://${file}`, { readonly: false })
  await db.exec('create table x (id integer primary key); insert into x values (1)')
  await db.close()
  const script = path.join(repoRoot(), 'scripts', 'backup_db.sh')
  const env = childEnv({ PATH: `${path.join(repoRoot(), 'node_modules', '.bin')}:${process.env.PATH}`, CLARA: path.join(dir, 'clara'), DEST: path.join(dir, 'run'), DATABASE_URL: '' })
  const r = await spawnTool('bash', [script, '--timestamp', '20240101_000000'], { env })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /"type":"artifact","domain":"db","unit":"clara_db_20240101_000000.sqlite3"/)
  t.ok(existsSync(path.join(dir, 'run', 'db', 'index.json')))
  const none = await spawnTool('bash', [script], { env: childEnv({ PATH: env.PATH, DEST: '', BACKUP_ROOT: '', DATABASE_URL: 'sqlite:///x' }) })
  t.not(none.code, 0, 'no DEST: refused')
  t.match(none.stderr, /set DEST/)
})
