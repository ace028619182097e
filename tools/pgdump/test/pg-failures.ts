import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { openDb, type Db } from '@clara/shared/db'
import { createPgDb, PG_ADMIN_URL, runMain } from '@clara/shared/testkit'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { filesUnder, leaks, readMetadata, toolEnv } from './helpers.js'

type T = { teardown(f: () => unknown): void }
const SECRET = `Pw-${process.pid}-s3cr3t!x`

/** A login role with a password and read access to everything (loopback uses trust auth, so the password only has to stay secret). */
async function passwordRole(t: T, dbUrl: string): Promise<string> {
  const role = `clara_pw_${process.pid}`
  const admin = await openDb(PG_ADMIN_URL)
  await admin.exec(`drop role if exists ${role}; create role ${role} login password '${SECRET.replace(/'/g, "''")}'; grant pg_read_all_data to ${role}`)
  await admin.close()
  t.teardown(async () => {
    const a = await openDb(PG_ADMIN_URL)
    await a.exec(`drop role if exists ${role}`)
    await a.close()
  })
  const u = new URL(dbUrl)
  u.username = role
  u.password = encodeURIComponent(SECRET)
  return u.toString()
}

async function smallDb(t: T): Promise<string> {
  const db = await createPgDb('pgdump_fail')
  t.teardown(() => db.drop())
  const c = await openDb(db.url)
  await c.exec("create table notes (id bigint primary key, body text, at timestamptz); insert into notes values (1, 'x', now()), (2, 'y', null)")
  await c.close()
  return db.url
}

t.test('an older pg_dump is refused: one line naming both versions, exit 3, nothing written', async (t) => {
  const url = await smallDb(t)
  const run = path.join(t.testdir(), 'run')
  const r = await runMain(main, { argv: ['--db', url, '--dest', run, '--assume-server-version', '99.0'], env: toolEnv() })
  t.equal(r.code, 3)
  const real = (await spawnTool('pg_dump', ['--version'])).stdout.match(/\d+\.\d+/)![0]
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line')
  t.match(r.stderr, new RegExp(`pg_dump ${real.replace('.', '\\.')} is older than the PostgreSQL server 99\\.0`))
  t.equal(r.stdout, '', 'no records')
  t.notOk(existsSync(run), 'nothing written')
})

t.test('the same server version is accepted', async (t) => {
  const url = await smallDb(t)
  const run = path.join(t.testdir(), 'run')
  const real = (await spawnTool('pg_dump', ['--version'])).stdout.match(/\d+\.\d+/)![0]
  const r = await runMain(main, { argv: ['--db', url, '--dest', run, '--assume-server-version', real], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
})

t.test('unreachable server, missing database, unknown role: one line, exit 3, nothing written, no password', async (t) => {
  const url = await smallDb(t)
  const cases: Record<string, string> = {
    'closed port': `postgres://someone:${encodeURIComponent(SECRET)}@127.0.0.1:1/x`,
    'no such database': url.replace(/\/[^/]*$/, '/clara_no_such_db') .replace('postgres@', `postgres:${encodeURIComponent(SECRET)}@`),
    'no such role': url.replace('postgres@', `clara_no_such_role:${encodeURIComponent(SECRET)}@`),
  }
  for (const [what, bad] of Object.entries(cases)) {
    const run = path.join(t.testdir(), what.replace(/ /g, '_'))
    const r = await runMain(main, { argv: ['--db', bad, '--dest', run], env: toolEnv() })
    t.equal(r.code, 3, what)
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`)
    t.match(r.stderr, /\*\*\*/, `${what}: the URL is shown redacted`)
    t.same(leaks(SECRET, { stdout: r.stdout, stderr: r.stderr }, [run]), [], `${what}: no password anywhere`)
    t.notOk(existsSync(run), `${what}: nothing written`)
  }
})

t.test('a planted password appears in no output byte and no file, on success', async (t) => {
  const url = await passwordRole(t, await smallDb(t))
  const run = path.join(t.testdir(), 'run')
  const r = await runMain(main, { argv: ['--db', url, '--dest', run, '--verbose'], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
  t.ok(filesUnder(run).length >= 3)
  t.same(leaks(SECRET, { stdout: r.stdout, stderr: r.stderr }, [run]), [])
  t.same(leaks(encodeURIComponent(SECRET), { stdout: r.stdout, stderr: r.stderr }, [run]), [], 'nor its URL-encoded form')
  t.match(readMetadata(path.join(run, 'db')).meta.url, /:\*\*\*@/)
})

/** pg_dump's backend, once it waits on our lock (polled: pg_dump is another process; bounded at 60 s, for a busy machine). */
async function waitForBlockedPgDump(admin: Db, dbName: string): Promise<number> {
  for (let i = 0; i < 1200; i++) {
    const rows = await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = ? and application_name = 'pg_dump' and wait_event_type = 'Lock'", [dbName])
    if (rows.length) return rows[0].pid
    await new Promise((res) => setTimeout(res, 50))
  }
  throw new Error('pg_dump never blocked on the lock')
}

/** Command lines of our descendants that mention `needle` (the process table any user can read). */
function cmdlinesWith(needle: string): string[] {
  const out: string[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
      if (cmd.includes(needle)) out.push(cmd)
    } catch {}
  }
  return out
}

t.test('pg_dump dying mid-way: error record, exit 1, no partial dump; its command line holds no password', async (t) => {
  const base = await smallDb(t)
  const url = await passwordRole(t, base)
  const dbName = new URL(base).pathname.slice(1)
  const locker = await openDb(base)
  const admin = await openDb(base)
  t.teardown(async () => {
    await locker.close()
    await admin.close()
  })
  // pg_dump takes ACCESS SHARE locks on every table; hold an exclusive one so it waits, then kill it.
  await locker.exec('begin; lock table notes in access exclusive mode')
  const run = path.join(t.testdir(), 'run')
  const running = runMain(main, { argv: ['--db', url, '--dest', run, '--timestamp', '20250101_000000'], env: toolEnv() })
  const pid = await waitForBlockedPgDump(admin, dbName)
  const cmds = cmdlinesWith(dbName).filter((c) => c.includes('pg_dump'))
  t.equal(cmds.length, 1, 'pg_dump is running')
  t.notMatch(cmds[0], SECRET, 'no password on its command line')
  t.notMatch(cmds[0], encodeURIComponent(SECRET))
  await admin.query('select pg_terminate_backend(?)', [pid])
  const r = await running
  await locker.exec('rollback')
  t.equal(r.code, 1, r.stderr)
  t.same(r.records.map((x) => x.type), ['error', 'summary', 'end'])
  t.match(r.records[0], { type: 'error', during: 'dump', item: 'clara_db_20250101_000000.dump', domain: 'db', message: /pg_dump failed/ })
  t.match(r.records[1], { ok: 0, failed: 1 })
  t.same(filesUnder(run), [], 'no partial dump, no temp file')
  t.notOk(existsSync(run), 'not even the folders it made')
  t.same(leaks(SECRET, { stdout: r.stdout, stderr: r.stderr }, []), [])
})
