/**
 * The round-trip harness's comparison (live-snapshot.ts): a copy of an install compared with it
 * finds nothing; each kind of difference (a changed file, a missing one, an extra one, a changed mode,
 * a changed, missing or extra table row, a path table's count) is found once, naming its path,
 * table or row. Real trees and real SQLite databases, built here.
 */
import t from 'tap'
import { chmodSync, cpSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { compareSnapshots, diffSnapshots, snapshot, type Difference } from '../src/live-snapshot.js'
import { diffTables, diffTrees, restoredTree, tableHashes } from '../src/restored-tree.js'

/** An install with two data roots and a database of one plain table and one path table. */
async function install(dir: string): Promise<{ clara: string; db: string }> {
  const clara = path.join(dir, 'clara')
  for (const [f, text] of [
    ['clara_content/7/a.txt', 'alpha'],
    ['clara_content/7/b.txt', 'beta'],
    ['clara_content/8/c.txt', 'gamma'],
    ['LARA_legacy/x/page.html', '<p>x</p>'],
  ]) {
    mkdirSync(path.dirname(path.join(clara, f)), { recursive: true })
    writeFileSync(path.join(clara, f), text)
    utimesSync(path.join(clara, f), WHEN, WHEN) // a whole second: a copy keeps it exactly
  }
  const db = `sqlite://${path.join(dir, 'db.sqlite3')}`
  const h = await openDb(db, { readonly: false })
  await h.exec('create table clara_app_claraproject (id integer primary key, title text)')
  await h.exec("insert into clara_app_claraproject values (1, 'one'), (2, 'two'), (3, 'three')")
  await h.exec('create table orm_audio_metadata (id integer primary key, file_path text)')
  await h.exec("insert into orm_audio_metadata values (1, '/old/root/a.mp3')")
  await h.close()
  return { clara, db }
}

/** The same install, copied with its mtimes (what a perfect restore gives). */
function copy(from: { clara: string; db: string }, dir: string): { clara: string; db: string } {
  cpSync(from.clara, path.join(dir, 'clara'), { recursive: true, preserveTimestamps: true })
  cpSync(from.db.slice('sqlite://'.length), path.join(dir, 'db.sqlite3'))
  return { clara: path.join(dir, 'clara'), db: `sqlite://${path.join(dir, 'db.sqlite3')}` }
}

async function exec(db: string, sql: string): Promise<void> {
  const h = await openDb(db, { readonly: false })
  await h.exec(sql)
  await h.close()
}

const WHEN = 1_700_000_000
const byWhere = (ds: Difference[]) => new Map(ds.map((d) => [d.where, d]))

t.test('an exact copy: no difference', async (t) => {
  const dir = t.testdir()
  const live = await install(path.join(dir, 'live'))
  const same = copy(live, path.join(dir, 'same'))
  t.same(compareSnapshots(await snapshot(live.clara, live.db), await snapshot(same.clara, same.db)), [])
})

t.test('each difference on its own, by name', async (t) => {
  const dir = t.testdir()
  const live = await install(path.join(dir, 'live'))
  const r = copy(live, path.join(dir, 'restored'))
  const a = path.join(r.clara, 'clara_content/7/a.txt')
  const st = statSync(a)
  writeFileSync(a, 'ALPHA') // same size, same mtime: only the content differs
  utimesSync(a, st.atime, st.mtime)
  rmSync(path.join(r.clara, 'clara_content/7/b.txt'))
  writeFileSync(path.join(r.clara, 'clara_content/8/extra.txt'), 'not live')
  chmodSync(path.join(r.clara, 'LARA_legacy/x/page.html'), 0o600)
  await exec(r.db, "update clara_app_claraproject set title = 'TWO' where id = 2")
  await exec(r.db, 'delete from clara_app_claraproject where id = 3')
  await exec(r.db, "insert into clara_app_claraproject values (4, 'four')")
  await exec(r.db, "update orm_audio_metadata set file_path = '/new/root/a.mp3'")

  const ds = compareSnapshots(await snapshot(live.clara, live.db), await snapshot(r.clara, r.db))
  const got = byWhere(ds)
  t.match(got.get('clara_content/7/a.txt'), { what: 'content differs', live: /content /, restored: /content / }, 'a changed file: its path, and only its content')
  t.match(got.get('clara_content/7/b.txt'), { what: 'missing from the restore', live: /^kind file, mode 644, mtime 1700000000, size 4, content [0-9a-f]{64}$/ }, 'a missing file: its path')
  t.match(got.get('clara_content/8/extra.txt'), { what: 'not in the live install', restored: /size 8/ }, 'an extra file: its path')
  t.match(got.get('LARA_legacy/x/page.html'), { what: 'mode differs', live: /mode 644,/, restored: /mode 600,/ }, 'a changed mode: its path, and only its mode')
  t.match(got.get('table clara_app_claraproject row {"id":"2"}'), { what: 'changed', live: /"one"|"two"/, restored: /"TWO"/ }, 'a changed row: its table and key')
  t.match(got.get('table clara_app_claraproject row {"id":"3"}'), { what: 'missing from the restore', live: /three/ }, 'a missing row')
  t.match(got.get('table clara_app_claraproject row {"id":"4"}'), { what: 'not in the live install', restored: /four/ }, 'an extra row')
  t.notOk(got.has('table orm_audio_metadata'), 'a path table’s paths are rewritten by restore: same count, no difference')
  t.equal(ds.length, 7, `those seven and nothing else (the folders whose entries changed have no mtime compared): ${ds.map((d) => d.where).join('; ')}`)

  await exec(r.db, "insert into orm_audio_metadata values (2, '/x.mp3')")
  await exec(r.db, 'drop table clara_app_claraproject')
  const more = byWhere(compareSnapshots(await snapshot(live.clara, live.db), await snapshot(r.clara, r.db)))
  t.match(more.get('table orm_audio_metadata'), { what: 'row count differs', live: '1 rows', restored: '2 rows' }, 'a path table: its count')
  t.match(more.get('table clara_app_claraproject'), { what: 'missing from the restore' }, 'a missing table')
  const lines = diffSnapshots(await snapshot(live.clara, live.db), await snapshot(r.clara, r.db), 3)
  t.equal(lines.length, 4, 'the one-line form stops at max, then says how many more')
  t.match(lines[3], /^… and \d+ more$/)
})

t.test('the crash harness’s tree and table comparison (restored-tree.ts) names each path and table', async (t) => {
  const dir = t.testdir()
  const live = await install(path.join(dir, 'live'))
  const r = copy(live, path.join(dir, 'restored'))
  t.same(diffTrees(await restoredTree(live.clara), await restoredTree(r.clara)), [])
  t.same(diffTables(await tableHashes(live.db), await tableHashes(r.db)), [])
  writeFileSync(path.join(r.clara, 'clara_content/7/a.txt'), 'changed!')
  rmSync(path.join(r.clara, 'clara_content/7/b.txt'))
  writeFileSync(path.join(r.clara, 'LARA_legacy/x/new.txt'), 'n')
  await exec(r.db, "update clara_app_claraproject set title = 'TWO' where id = 2")
  const trees = diffTrees(await restoredTree(live.clara), await restoredTree(r.clara))
  for (const re of [/^clara_content\/7\/a\.txt: differs /, /^clara_content\/7\/b\.txt: missing$/, /^LARA_legacy\/x\/new\.txt: not expected$/]) t.ok(trees.some((l) => re.test(l)), `a line matches ${re}`)
  t.same(diffTables(await tableHashes(live.db), await tableHashes(r.db)).map((l) => l.split(':')[0]), ['table clara_app_claraproject'], 'the changed table, by name')
})
