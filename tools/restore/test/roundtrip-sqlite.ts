/**
 * The headline round trip on SQLite: fixture → clara-backup (every domain, snapshots too) →
 * clara-restore into a fresh directory at another path and a fresh database file → equivalence.
 * Then an incremental run: change a project, back up again, restore the second run.
 */
import { promises as fsp, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb } from '@clara/shared/db'
import { backup, fixture, node, shortDir } from './kit.js'
import { roundTrip } from './kit-check.js'

const base = shortDir(t, 'rts')
const clara = path.join(base, 'old')
let db = ''
let run1 = ''

t.before(async () => {
  db = await fixture(clara)
  run1 = await backup(clara, db, path.join(base, 'backups'), ['--snapshots'])
})

t.test('SQLite: restore at a new path equals the source, paths migrated', async (t) => {
  const v = await node('verify', [run1, '--data', 'full', '--no-state', '--quiet'])
  t.equal(v.code, 0, `clara-verify --data full passes on the run ${v.stderr}`)
  await roundTrip(t, { run: run1, to: path.join(base, 'new'), clara, srcDb: db })
})

t.test('SQLite: a backup taken after an incremental run restores the changed install', async (t) => {
  const plain = path.join(clara, 'clara_content/Mary_had_a_little_lamb_37/plain/Mary_had_a_little_lamb_37_plain.txt')
  writeFileSync(plain, 'Mary had a little lamb, its fleece was white as snow. (revised)\n')
  utimesSync(plain, 1767225600, 1767225600)
  const d = await openDb(db, { readonly: false })
  await d.query("update clara_app_claraproject set title = 'Mary had a little lamb (revised)' where id = 37")
  await d.close()
  const run2 = await backup(clara, db, path.join(base, 'backups'), ['--snapshots'])
  t.not(run2, run1, 'a second run')
  const manifest = JSON.parse(await fsp.readFile(path.join(run2, 'manifest.json'), 'utf8'))
  t.equal(manifest.incremental_from, path.basename(run1), 'incremental from the first run')
  const legacy = await fsp.stat(path.join(run2, 'legacy_zips/proust_vol1/legacy.zip'))
  t.ok(legacy.nlink > 1, 'an unchanged unit is a hard link into the first run')
  await roundTrip(t, { run: run2, to: path.join(base, 'new2'), clara, srcDb: db })
  const restored = await fsp.readFile(path.join(base, 'new2/clara_content/Mary_had_a_little_lamb_37/plain/Mary_had_a_little_lamb_37_plain.txt'), 'utf8')
  t.match(restored, /revised/, 'the change is restored')
})
