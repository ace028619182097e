/**
 * The database half of the proof may run while the units restore (proveDbAt on a lane): its result
 * is used at the end only if it started from every old root known then. A root the units found
 * meanwhile (which detection alone cannot see in a value: no C-LARA data folder in it) makes the
 * restore prove the database again, so nothing pointing into that root is missed.
 */
import path from 'node:path'
import t from 'tap'
import { openDb } from '@clara/shared/db'
import { earlyProofHolds, proveAll, proveDbAt } from '../src/proof-step.js'
import { RootSet } from '../src/old-roots.js'
import { Report } from '../src/report.js'
import type { DumpInfo } from '../src/dump-info.js'

const dir = t.testdir({ new: {} })
const to = path.join(dir, 'new')
const url = `sqlite://${dir}/db.sqlite3`
const db = await openDb(url, { readonly: false })
await db.exec(`create table orm_audio_metadata (id integer primary key, file_path varchar(500));
create table clara_app_taskupdate (id integer primary key, message text);
insert into orm_audio_metadata values (1, '${to}/audio/tts_repository_orm/g/en/v/a.mp3'), (2, '/old/root/audio/tts_repository_orm/g/en/v/b.mp3'), (3, '/late/root/LARA_legacy/c.mp3');
insert into clara_app_taskupdate values (1, 'copied /late/root/LARA_legacy/c.mp3');`)
await db.close()
const dump = { engine: 'sqlite' } as DumpInfo

t.test('proveDbAt: the values under a root it knows (or detects), from a read-only look', async (t) => {
  const roots = new RootSet(to)
  roots.add('/old/root', 'manifest')
  const p = await proveDbAt(url, dir, roots.newRoot, roots.list())
  t.same(p.left, { 'orm_audio_metadata.file_path': ['2: /old/root/audio/tts_repository_orm/g/en/v/b.mp3'] }, '/late/root is unknown: its value has no data folder to detect it by')
  t.same(p.incidental, {})
  t.same(p.from.map((r) => r.root), ['/old/root'])
})

t.test('an early proof stands only while no old root was found after it started', async (t) => {
  const known = new RootSet(to)
  known.add('/old/root', 'manifest')
  const early = await proveDbAt(url, dir, known.newRoot, known.list())
  t.ok(earlyProofHolds(early, known.list()))

  const same = new Report()
  await proveAll({ to, db: url, cwd: dir }, dump, known, new Set(), same, { ...early, left: { 'orm_audio_metadata.file_path': ['9: marked'] } })
  t.same(same.proof.db_remaining, { 'orm_audio_metadata.file_path': ['9: marked'] }, 'the same roots: its result is the one used')
  t.equal(same.proof.db_early, true)

  const later = new RootSet(to)
  later.add('/old/root', 'manifest')
  later.add('/late/root', 'detected') // a unit found it (a JSON file, a pickle) after the early proof started
  t.notOk(earlyProofHolds(early, later.list()))
  const redone = new Report()
  await proveAll({ to, db: url, cwd: dir }, dump, later, new Set(), redone, { ...early, left: { 'orm_audio_metadata.file_path': ['9: marked'] } })
  t.same(redone.proof.db_remaining, { 'orm_audio_metadata.file_path': ['2: /old/root/audio/tts_repository_orm/g/en/v/b.mp3', '3: /late/root/LARA_legacy/c.mp3'] }, 'proved again at the end, with the root found late')
  t.same(redone.incidental, { 'clara_app_taskupdate.message': 1 })
  t.equal(redone.proof.ok, false)
  t.equal(redone.proof.db_early, false)
})

t.test('roots the early proof detected are the restore\'s too', async (t) => {
  const known = new RootSet(to)
  const early = await proveDbAt(url, dir, known.newRoot, known.list())
  t.same(early.roots.map((r) => [r.root, r.sources]), [['/old/root', ['detected']]], 'found by its data folder')
  const report = new Report()
  await proveAll({ to, db: url, cwd: dir }, dump, known, new Set(), report, early)
  t.same(known.list().map((r) => r.root), ['/old/root'])
})
