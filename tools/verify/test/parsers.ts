/** The small pieces: rows of a real mysqldump (the parsers are tested in shared/test), --data parsing, sampling, archive checks. */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import t from 'tap'
import tar from 'tar-stream'
import { openDb } from '@clara/shared/db'
import { readDumpRows } from '@clara/shared/dump-rows'
import { createMysqlDb, MYSQL_ADMIN_URL } from '@clara/shared/testkit'
import { binPath, spawnTool } from '@clara/shared/testkit-spawn'
import { checkDump } from '../src/db-check.js'
import { parseData } from '../src/options.js'
import { rehearse } from '../src/rehearse.js'
import { sample } from '../src/state.js'
import { checkTar } from '../src/tar-check.js'
import { checkZip } from '../src/zip-check.js'
import { parseListing } from '../src/shard-domain.js'

t.test('a real mysqldump: rows, sanity, rehearsal', async (t) => {
  const db = await createMysqlDb('clara_verify')
  t.teardown(() => db.drop())
  const c = await openDb(db.url)
  await c.exec("create table orm_image_gloss_metadata (id bigint primary key, file_path varchar(500)); insert into orm_image_gloss_metadata values (1, 'C:\\\\x\\\\gloss_images\\\\image_repository_orm\\\\a b\\\\y''z.jpg'), (2, NULL)")
  await c.close()
  const dir = t.testdir()
  const r = await spawnTool(binPath('clara-pgdump'), ['--db', db.url, '--dest', dir, '--quiet'])
  t.equal(r.code, 0, r.stderr)
  const name = (await fsp.readdir(path.join(dir, 'db'))).find((f) => f.endsWith('.sql'))!
  const abs = path.join(dir, 'db', name)
  const meta = JSON.parse(await fsp.readFile(abs.replace(/\.sql$/, '.db_metadata.json'), 'utf8'))
  const rows = await readDumpRows(abs, 'mysql', new Map([['orm_image_gloss_metadata', []]]), { env: process.env })
  t.same(rows.get('orm_image_gloss_metadata')?.rows, [['1', "C:\\x\\gloss_images\\image_repository_orm\\a b\\y'z.jpg"], ['2', null]])
  const art = { domain: 'db', unit: name, rel: `db/${name}`, abs, size: 0, sha256: '', kind: 'sql' as const, encrypted: false }
  t.same((await checkDump(art, meta, { pgRestore: 'pg_restore', env: process.env })).problems, [])
  const rh = await rehearse(art, meta, MYSQL_ADMIN_URL, { pgRestore: 'pg_restore', mysql: 'mysql', env: process.env })
  t.same(rh.problems, [], rh.note)
})

t.test('a mysqldump with a line over the 1 MiB read cap: its CREATE TABLE lines are still found', async (t) => {
  const abs = path.join(t.testdir(), 'clara_db.sql')
  const long = `INSERT INTO \`b\` VALUES ('${'x'.repeat(3 << 20)}');`
  await fsp.writeFile(abs, `-- MariaDB dump 10.19\nCREATE TABLE \`a\` (id int);\n${long}\nCREATE TABLE \`b\` (v text);\n-- Dump completed on 2026-12-07\n`)
  const art = { domain: 'db', unit: 'clara_db.sql', rel: 'db/clara_db.sql', abs, size: 0, sha256: '', kind: 'sql' as const, encrypted: false }
  const r = await checkDump(art, { tables: { a: 0, b: 1 } }, { pgRestore: 'pg_restore', env: process.env })
  t.same(r.problems, [])
  t.equal(r.note, '2 tables created', 'the table after the long line too')
})

t.test('--data values', async (t) => {
  t.same(parseData('full', undefined).level, { level: 'full' })
  t.same(parseData('sample', '25%'), { level: { level: 'sample', percent: 25 }, used: true })
  t.same(parseData('sample:5%', undefined).level, { level: 'sample', percent: 5 })
  t.same(parseData('12.5%', undefined).level, { level: 'sample', percent: 12.5 })
  t.throws(() => parseData('sample:150%', undefined))
})

t.test('sampling: failed first, then never verified, then oldest', async (t) => {
  const items = ['a', 'b', 'c', 'd'].map((rel) => ({ rel, sha256: 'x' }))
  const state = {
    version: 1 as const, updated_at: '',
    artifacts: {
      a: { sha256: 'x', verified_at: '2026-01-02T00:00:00Z', ok: true, level: 'full' },
      b: { sha256: 'x', verified_at: '2026-01-01T00:00:00Z', ok: true, level: 'full' },
      c: { sha256: 'x', verified_at: '2026-01-03T00:00:00Z', ok: false, level: 'full' },
    },
  }
  t.same(sample(items, 75, state, 1).map((i) => i.rel), ['c', 'd', 'b'])
  t.same(sample(items, 1, state, 1).length, 1, 'at least one')
  t.same(sample(items, 100, state, 9).map((i) => i.rel).sort(), ['a', 'b', 'c', 'd'])
})

t.test('a gzipped tar: every member hashed, a damaged one found', async (t) => {
  const dir = t.testdir()
  const pack = tar.pack()
  pack.entry({ name: 'x', type: 'directory' })
  pack.entry({ name: 'x/a.mp3' }, Buffer.alloc(70000, 7))
  pack.entry({ name: 'x/b.txt' }, 'hello')
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const c of pack) chunks.push(c as Buffer)
  const file = path.join(dir, 'a.tgz')
  const gz = zlib.gzipSync(Buffer.concat(chunks))
  await fsp.writeFile(file, gz)
  const ok = await checkTar(file, { gzip: true })
  t.same(ok.problems, [])
  t.same(ok.members.map((m) => [m.name, m.kind, m.size]), [['x', 'dir', 0], ['x/a.mp3', 'file', 70000], ['x/b.txt', 'file', 5]])
  t.equal(ok.size, gz.length)
  await fsp.writeFile(file, gz.subarray(0, gz.length - 200))
  const cut = await checkTar(file, { gzip: true })
  t.match(cut.problems[0], /not a readable gzipped tar/)
})

t.test('member listings', async (t) => {
  const row = (p: string) => JSON.stringify({ type: 'member', path: p, kind: 'file', size: 1, sha256: 'a' })
  t.equal(parseListing([row('a'), row('b'), '{"type":"end","count":2}', ''].join('\n')).members.size, 2)
  t.match(parseListing([row('a'), row('b')].join('\n')).problem, /no end record/)
  t.match(parseListing([row('a'), '{"type":"end","count":5}'].join('\n')).problem, /does not close/)
})

t.test('a zip with a big deflated member streams it (and finds damage in it)', async (t) => {
  const dir = t.testdir({ 'big.txt': 'the quick brown fox jumps over the lazy dog\n'.repeat(400_000), 'small.txt': 'hi\n' })
  const zip = path.join(dir, 'a.zip')
  execFileSync('zip', ['-q', '-j', zip, path.join(dir, 'big.txt'), path.join(dir, 'small.txt')])
  const ok = await checkZip(zip, { memberSha: true })
  t.same(ok.problems, [])
  t.same(ok.members?.map((m) => [m.name, m.size]), [['big.txt', 17_600_000], ['small.txt', 3]])
  t.equal(ok.members?.[0].sha256, createHash('sha256').update(await fsp.readFile(path.join(dir, 'big.txt'))).digest('hex'))
  const buf = await fsp.readFile(zip)
  buf[Math.floor(buf.length / 2)] ^= 0xff
  await fsp.writeFile(zip, buf)
  const bad = await checkZip(zip, { memberSha: false })
  t.match(bad.problems.join('\n'), /big\.txt: (inflate|CRC-32|\d+ bytes)/)
})
