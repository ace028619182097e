/**
 * The command line: help, usage errors (exit 2, nothing done), a missing run (exit 3), the
 * schema check, and an encrypted run (refused without --identity, restored from a decrypted
 * copy with it, the run left as it was).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb } from '@clara/shared/db'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { node } from './kit.js'

t.test('--help on stdout, exit 0; the README carries the same text', async (t) => {
  const r = await runMain(main, { argv: ['--help'] })
  t.equal(r.code, 0)
  t.match(r.stdout, /clara-restore RUN --to NEWCLARA --db URL/)
  t.equal(r.stderr, '')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  for (const line of r.stdout.trim().split('\n')) t.ok(readme.includes(line.trim()), `README: ${line.trim().slice(0, 50)}`)
})

t.test('usage errors: exit 2, nothing written', async (t) => {
  const dir = t.testdir({})
  const to = path.join(dir, 'to')
  for (const [argv, msg] of [
    [[], /exactly one RUN/],
    [[dir], /--to NEWCLARA is required/],
    [[dir, '--to', to], /--db URL/],
    [[dir, '--to', to, '--db', 'sqlite:///x', '--domains', 'db,nope'], /unknown domain\(s\): nope/],
    [[dir, '--to', to, '--bogus'], /Unknown argument/],
    [[dir, 'other', '--to', to, '--db', 'sqlite:///x'], /exactly one RUN/],
  ] as [string[], RegExp][]) {
    const r = await runMain(main, { argv })
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.stderr, msg)
    t.equal(r.stdout, '')
  }
  t.notOk(existsSync(to), 'nothing created')
})

t.test('a run that is not there: exit 3', async (t) => {
  const dir = t.testdir({})
  const r = await runMain(main, { argv: [path.join(dir, 'nope'), '--to', path.join(dir, 'to'), '--domains', 'legacy'] })
  t.equal(r.code, 3)
  t.match(r.stderr, /not a backup run directory/)
})

/** A small real run: a SQLite dump with the django_migrations head, one legacy zip, a manifest. */
async function smallRun(dir: string): Promise<string> {
  const run = path.join(dir, 'run')
  const dbFile = path.join(dir, 'src.sqlite3')
  const db = await openDb(`sqlite://${dbFile}`, { readonly: false })
  await db.exec("create table django_migrations (id integer primary key, app varchar(255), name varchar(255), applied datetime); insert into django_migrations values (1, 'clara_app', '0103_claraproject_picture_gloss_style_and_more', '2026-01-06 00:00:00')")
  await db.exec("create table orm_audio_metadata (id integer primary key, file_path text); insert into orm_audio_metadata values (1, '/old/root/audio/tts_repository_orm/a.mp3')")
  await db.close()
  const d = await node('pgdump', ['--db', `sqlite://${dbFile}`, '--dest', run, '--quiet'])
  if (d.code !== 0) throw new Error(d.stderr)
  mkdirSync(path.join(run, 'legacy_zips', 'item'), { recursive: true })
  writeFileSync(path.join(dir, 'page.html'), '<p>legacy</p>')
  execFileSync('zip', ['-q', '-j', path.join(run, 'legacy_zips/item/legacy.zip'), path.join(dir, 'page.html')])
  const sha = execFileSync('sha256sum', [path.join(run, 'legacy_zips/item/legacy.zip')], { encoding: 'utf8' }).split(' ')[0]
  writeFileSync(path.join(run, 'legacy_zips/item/metadata.json'), JSON.stringify({ unit: 'item', archives: [{ path: 'legacy_zips/item/legacy.zip', sha256: sha, restore: [{ prefix: '', to: 'LARA_legacy/item' }] }] }))
  writeFileSync(path.join(run, 'manifest.json'), JSON.stringify({ run_id: 'x', clara: '/old/root' }))
  return run
}

t.test('--app-dir: older code refused, newer code warned', async (t) => {
  const dir = t.testdir({})
  const run = await smallRun(dir)
  const app = path.join(dir, 'app', 'clara_app', 'migrations')
  mkdirSync(app, { recursive: true })
  writeFileSync(path.join(app, '0102_older.py'), '')
  const args = (to: string) => [run, '--to', path.join(dir, to), '--db', `sqlite://${dir}/${to}.sqlite3`, '--app-dir', path.join(dir, 'app')]
  const old = await runMain(main, { argv: args('a') })
  t.equal(old.code, 3)
  t.match(old.stderr, /older than the backup \(0103_claraproject_picture_gloss_style_and_more\)/)
  t.notOk(existsSync(path.join(dir, 'a.sqlite3')), 'nothing restored')
  writeFileSync(path.join(app, '0103_claraproject_picture_gloss_style_and_more.py'), '')
  writeFileSync(path.join(app, '0104_newer.py'), '')
  const newer = await runMain(main, { argv: args('b') })
  t.equal(newer.code, 0, newer.stderr)
  t.match(newer.stderr, /newer than the backup.*run manage\.py migrate/)
})

t.test('an encrypted run needs --identity; it is restored from a decrypted copy and left as it was', async (t) => {
  const dir = t.testdir({})
  const run = await smallRun(dir)
  const key = path.join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' })
  const recipient = /public key: (age1\w+)/.exec(readFileSync(key, 'utf8'))![1]
  const e = await node('encrypt', ['--run', run, '--to', recipient, '--quiet'])
  t.equal(e.code, 0, e.stderr)
  const before = (await fsp.readdir(path.join(run, 'db'))).sort()
  t.ok(before.some((f) => f.endsWith('.age')), 'the dump is encrypted')
  const to = path.join(dir, 'new')
  const no = await runMain(main, { argv: [run, '--to', to, '--db', `sqlite://${dir}/n.sqlite3`] })
  t.equal(no.code, 2)
  t.match(no.stderr, /the run is encrypted .*pass --identity FILE/)
  const yes = await runMain(main, { argv: [run, '--to', to, '--db', `sqlite://${dir}/n.sqlite3`, '--identity', key, '--quiet'] })
  t.equal(yes.code, 0, yes.stderr)
  const db = await openDb(`sqlite://${dir}/n.sqlite3`, { readonly: true })
  t.same(await db.query('select file_path from orm_audio_metadata'), [{ file_path: `${to}/audio/tts_repository_orm/a.mp3` }])
  await db.close()
  t.equal(readFileSync(path.join(to, 'LARA_legacy/item/page.html'), 'utf8'), '<p>legacy</p>')
  t.same((await fsp.readdir(path.join(run, 'db'))).sort(), before, 'the run is unchanged')
  t.notOk(existsSync(path.join(to, '.clara-restore', 'decrypted-run')), 'the decrypted copy is gone')
})
