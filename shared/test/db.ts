import t, { type Test } from 'tap'
import path from 'node:path'
import { ClaraError } from '../src/cli.js'
import { openDb, parseDbUrl, redactUrl, scrub, urlPassword, type Db } from '../src/db.js'
import { createMysqlDb, createPgDb } from '../src/testkit.js'

const PASSWORD = 'S3cret-pw'

t.test('parseDbUrl', async (t) => {
  t.same(parseDbUrl('sqlite:///srv/clara/db.sqlite3'), { engine: 'sqlite', url: 'sqlite:///srv/clara/db.sqlite3', file: '/srv/clara/db.sqlite3' })
  t.same(parseDbUrl('sqlite:rel/db.sqlite3', '/base'), { engine: 'sqlite', url: 'sqlite:///base/rel/db.sqlite3', file: '/base/rel/db.sqlite3' })
  t.equal(parseDbUrl('db.sqlite3', '/base').file, '/base/db.sqlite3', 'a bare .sqlite3 path')
  t.equal(parseDbUrl('sqlite:///a%20b/db.sqlite3').file, '/a b/db.sqlite3')
  t.match(parseDbUrl('postgresql://u:p@h:5432/clara'), { engine: 'postgres', database: 'clara' })
  t.match(parseDbUrl('mariadb://root@h/clara'), { engine: 'mysql', database: 'clara' })
  t.throws(() => parseDbUrl('oracle://x'), { exitCode: 2, message: /unsupported database scheme "oracle"/ })
  t.throws(() => parseDbUrl('nonsense'), { exitCode: 2, message: /^bad database URL/ })
})

t.test('redactUrl, urlPassword and scrub never leak a password', async (t) => {
  const cases: [string, string, string | undefined][] = [
    ['postgres://clara:S3cret@db.example:5432/clara', 'postgres://clara:***@db.example:5432/clara', 'S3cret'],
    ['postgres://clara:p%40ss%2Fw@h/db', 'postgres://clara:***@h/db', 'p@ss/w'],
    ['postgres://clara:p@ss@h/db', 'postgres://clara:***@h/db', 'p@ss'],
    ['postgres://:only-pw@h/db', 'postgres://:***@h/db', 'only-pw'],
    ['postgres://clara@h/db?sslmode=require&password=qs-secret', 'postgres://clara@h/db?sslmode=require&password=***', 'qs-secret'],
    ['mysql://root@127.0.0.1:3306/', 'mysql://root@127.0.0.1:3306/', undefined],
    ['postgres://h:5432/db', 'postgres://h:5432/db', undefined],
    ['sqlite:///srv/db.sqlite3', 'sqlite:///srv/db.sqlite3', undefined],
  ]
  for (const [url, redacted, pw] of cases) {
    t.equal(redactUrl(url), redacted, url)
    t.equal(urlPassword(url), pw)
    if (pw) t.notOk(redactUrl(url).includes(pw))
  }
  t.equal(scrub('auth failed for S3cret at S3cret', ['S3cret']), 'auth failed for *** at ***')
  t.equal(scrub('short ab', ['ab', undefined]), 'short ab', 'secrets under 3 characters are not scrubbed (too many false hits)')
})

/** The same checks on every engine: `?` params, tables, ident, version, close. */
async function exercise(t: Test, db: Db) {
  await db.exec(`create table ${db.ident('odd "name"')} (id integer primary key, label varchar(50), n integer)`)
  await db.query(`insert into ${db.ident('odd "name"')} (id, label, n) values (?, ?, ?), (?, ?, ?)`, [1, 'é ? x', 10, 2, "it's", 20])
  const rows = await db.query<{ id: number; label: string }>(`select id, label from ${db.ident('odd "name"')} where n > ? and label <> ? order by id`, [5, 'nope'])
  t.same(
    rows.map((r) => [Number(r.id), r.label]),
    [
      [1, 'é ? x'],
      [2, "it's"],
    ],
    'params bound, including a ? inside a value',
  )
  t.same(await db.tables(), ['odd "name"'])
  t.match(await db.serverVersion(), /^\d+\.\d+/)
  await t.rejects(db.query('select * from no_such_table'), { exitCode: 3, name: 'ClaraError', message: /^database .*no_such_table/ })
  await db.close()
}

t.test('sqlite: query with ? params; readonly refuses writes', async (t) => {
  const file = path.join(t.testdir(), 'db.sqlite3')
  await t.rejects(openDb(`sqlite://${file}`), { exitCode: 3, message: /^database sqlite:\/\/.*db\.sqlite3: / }, 'readonly (default) needs an existing file')
  await exercise(t, await openDb(`sqlite://${file}`, { readonly: false }))
  const ro = await openDb(`sqlite://${file}`)
  t.equal(ro.engine, 'sqlite')
  t.same(await ro.query('select count(*) as n from "odd ""name"""'), [{ n: 2 }])
  await t.rejects(ro.query('delete from "odd ""name"""'), { exitCode: 3, message: /readonly/ })
  await t.rejects(ro.exec('create table x (a)'), { exitCode: 3, message: /readonly/ })
  await ro.close()
})

t.test('postgres: a throwaway database, ? params', async (t) => {
  const scratch = await createPgDb()
  t.teardown(() => scratch.drop())
  const db = await openDb(scratch.url)
  t.equal(db.engine, 'postgres')
  t.equal(db.target.database, scratch.name)
  await exercise(t, db)
})

t.test('mysql: a throwaway database, ? params', async (t) => {
  const scratch = await createMysqlDb()
  t.teardown(() => scratch.drop())
  const db = await openDb(scratch.url)
  t.equal(db.engine, 'mysql')
  await exercise(t, db)
})

async function connectError(url: string): Promise<ClaraError> {
  try {
    const db = await openDb(url)
    await db.close()
  } catch (err) {
    return err as ClaraError
  }
  throw new Error(`connected to ${url}`)
}

t.test('connection failures: one line, exit 3, password scrubbed', async (t) => {
  const urls = [
    `postgres://clara:${PASSWORD}@127.0.0.1:1/clara`, // nothing listens on port 1
    `postgres://postgres:${PASSWORD}@127.0.0.1:5432/no_such_db_${process.pid}`,
    `mysql://root:${PASSWORD}@127.0.0.1:3306/`, // root has no password: access denied
    `mysql://clara:${encodeURIComponent(PASSWORD + '@/')}@127.0.0.1:1/clara`,
  ]
  for (const url of urls) {
    const err = await connectError(url)
    t.ok(err instanceof ClaraError, url.replace(PASSWORD, '…'))
    t.equal(err.exitCode, 3)
    t.notOk(err.message.includes(PASSWORD), `no password in: ${err.message}`)
    t.notOk(err.message.includes('\n'), 'one line')
    t.match(err.message, /^database (postgres|mysql):\/\/[a-z]+:\*\*\*@127\.0\.0\.1:\d+\//)
  }
})
