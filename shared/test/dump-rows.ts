/** Rows read from real dumps: a SQLite copy, a pg_dump custom dump, a mysqldump file. */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb } from '../src/db.js'
import { readDumpRows } from '../src/dump-rows.js'
import { createMysqlDb, createPgDb } from '../src/testkit.js'

const VALUES: [number, string | null][] = [
  [1, "C:\\x\\gloss_images\\a b\\y'z.jpg"],
  [2, null],
  [3, 'tab\there, new\nline, māori, "quoted", \\N'],
]
const want = new Map([['files', ['file_path', 'id', 'absent']], ['missing', ['id']]])
const expected = VALUES.map(([id, v]) => [v, String(id), null])

async function fill(url: string, blob: string): Promise<void> {
  const db = await openDb(url, { readonly: false })
  try {
    await db.exec(`create table files (id integer primary key, file_path varchar(300), data ${blob})`)
    await db.exec('create table other (id integer primary key)')
    for (const [id, v] of VALUES) await db.query('insert into files (id, file_path, data) values (?, ?, ?)', [id, v, Buffer.from([0, 1, 2])])
  } finally {
    await db.close()
  }
}

t.test('a SQLite copy', async (t) => {
  const file = path.join(t.testdir(), 'db.sqlite3')
  await fill(`sqlite://${file}`, 'blob')
  const rows = await readDumpRows(file, 'sqlite', want, { env: process.env })
  t.same([...rows.keys()], ['files'])
  t.same(rows.get('files'), { columns: ['file_path', 'id', 'absent'], rows: expected })
  t.same((await readDumpRows(file, 'sqlite', new Map([['files', []]]), { env: process.env })).get('files')!.columns, ['id', 'file_path', 'data'])
})

t.test('a PostgreSQL custom dump, through pg_restore', async (t) => {
  const db = await createPgDb('clara_dumprows')
  t.teardown(() => db.drop())
  await fill(db.url, 'bytea')
  const file = path.join(t.testdir(), 'db.dump')
  execFileSync('pg_dump', ['--format=custom', `--file=${file}`, db.url])
  const rows = await readDumpRows(file, 'postgres', want, { env: process.env })
  t.same([...rows.keys()], ['files'])
  t.same(rows.get('files'), { columns: ['file_path', 'id', 'absent'], rows: expected })
  const bad = path.join(t.testdir(), 'not.dump')
  writeFileSync(bad, 'not a dump')
  await t.rejects(readDumpRows(bad, 'postgres', want, { env: process.env }), { code: 'EDUMP', message: /^pg_restore --data-only failed \(exit 1\): .+/ })
  await t.rejects(readDumpRows(file, 'postgres', want, { env: process.env, pgRestore: '/nonexistent/pg_restore' }), { code: 'ENOENT' })
})

t.test('a mysqldump file', async (t) => {
  const db = await createMysqlDb('clara_dumprows')
  t.teardown(() => db.drop())
  await fill(db.url, 'blob')
  const file = path.join(t.testdir(), 'db.sql')
  const u = new URL(db.url)
  const sql = execFileSync('mysqldump', ['--hex-blob', `--host=${u.hostname}`, '--protocol=tcp', `--port=${u.port || 3306}`, `--user=${u.username}`, db.name])
  writeFileSync(file, sql)
  const rows = await readDumpRows(file, 'mysql', new Map([...want, ['other', []]]), { env: process.env })
  t.same([...rows.keys()].sort(), ['files', 'other'])
  t.same(rows.get('files'), { columns: ['file_path', 'id', 'absent'], rows: expected })
  t.same((await readDumpRows(file, 'mysql', new Map([['files', ['data']]]), { env: process.env })).get('files')!.rows[0], ['\0\x01\x02'], '--hex-blob bytes')
})
