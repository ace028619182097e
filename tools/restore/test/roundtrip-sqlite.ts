/**
 * The headline round trip on SQLite: fixture → clara-backup (every domain, snapshots too) →
 * clara-restore into a fresh directory at another path and a fresh database file → equivalence.
 * Then an incremental run: change a project, back up again, restore the second run.
 */
import { promises as fsp, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { backup, compareDb, fixture, node, OLD_HOST, shortDir, WINDOWS_ROOTS } from './kit.js'
import { grepTree, treeDiffs, unresolvedMedia } from './kit-files.js'

const base = shortDir(t, 'rts')
const clara = path.join(base, 'old')
let db = ''
let run1 = ''

t.before(async () => {
  db = await fixture(clara)
  run1 = await backup(clara, db, path.join(base, 'backups'), ['--snapshots'])
})

/** Restore `run` into `to` (with sources) and check everything the issue asks for. */
async function roundTrip(t: Test, run: string, to: string): Promise<void> {
  const dstDb = `sqlite://${to}/db.sqlite3`
  const r = await runMain(main, { argv: [run, '--to', to, '--db', dstDb, '--sources', '--quiet'] })
  t.equal(r.code, 0, `restore exits 0 ${r.stderr}`)
  t.same(r.records.filter((x) => x.type === 'refused' || x.type === 'error'), [], 'no unit refused or failed')
  const olds = [clara, OLD_HOST, ...WINDOWS_ROOTS]
  await compareDb(t, db, dstDb, olds, to)
  t.same(await treeDiffs(clara, to, run, olds, { sources: true }), [], 'every file under the data roots equal (bytes, mtime, mode), JSON path files per the oracle')
  const [la, lb] = await Promise.all([clara, to].map(async (root) => {
    const d = await openDb(`sqlite://${root}/audio/tts_metadata_local.db`, { readonly: true })
    try {
      return await hashTables(d)
    } finally {
      await d.close()
    }
  }))
  t.same(lb, la, 'the retired audio SQLite file holds the same rows')
  const unresolved = await unresolvedMedia(to, dstDb)
  t.equal(unresolved.length, 1, `exactly one unresolved media reference: ${unresolved.join(', ')}`)
  t.match(unresolved[0], /^clara_compiled_phonetic\/12\/page_1\.html: .*openai.*_missing\.mp3$|^clara_compiled_phonetic\/12\/page_1\.html: multimedia\/alloy_.*_missing\.mp3$/, 'the fixture’s deliberate one')
  const exempt = /^(\.clara-restore\/|restore_report\.json$|restored_infra\/|db\.sqlite3$|audio\/tts_metadata_local\.db$|.*\.pickle$)/
  t.same(await grepTree(to, [clara, OLD_HOST, 'cygwin64'], exempt), [], 'no old root in any restored file (pickles, the retired audio DB and infra-for-review aside)')
  const report = JSON.parse(await fsp.readFile(path.join(to, 'restore_report.json'), 'utf8'))
  t.equal(report.proof.ok, true, 'the proof holds')
  t.same(report.proof.db_remaining, {}, 'no path column names an old root')
  t.same(Object.keys(report.incidental).sort(), ['clara_app_taskupdate.message', 'django_q_task.result'], 'old roots only in incidental text (task messages, task results)')
  t.same(Object.keys(report.rewrites.totals).sort(), ['clara_var', 'posix', 's3_key', 'windows_backslash', 'windows_slash'], 'all four styles (both Windows forms) rewritten')
  const found = report.old_roots.map((x: { root: string }) => x.root).sort()
  t.same(found, [clara, OLD_HOST, ...WINDOWS_ROOTS].sort(), 'old roots: the manifest’s plus the detected ones')
  for (const d of ['logs', 'tmp', 'mediafiles']) t.ok((await fsp.stat(path.join(to, d))).isDirectory(), `${d}/ exists`)
}

t.test('SQLite: restore at a new path equals the source, paths migrated', async (t) => {
  const v = await node('verify', [run1, '--data', 'full', '--no-state', '--quiet'])
  t.equal(v.code, 0, `clara-verify --data full passes on the run ${v.stderr}`)
  await roundTrip(t, run1, path.join(base, 'new'))
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
  await roundTrip(t, run2, path.join(base, 'new2'))
  const restored = await fsp.readFile(path.join(base, 'new2/clara_content/Mary_had_a_little_lamb_37/plain/Mary_had_a_little_lamb_37_plain.txt'), 'utf8')
  t.match(restored, /revised/, 'the change is restored')
})
