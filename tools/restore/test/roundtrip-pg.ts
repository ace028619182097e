/**
 * The headline round trip on PostgreSQL (pg_restore into a fresh database, path columns
 * rewritten), plus the pre-flight refusals: a target database holding tables, and a new root
 * so long that the archived image path would exceed varchar(200) — both before anything is written.
 */
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb } from '@clara/shared/db'
import { createPgDb, runMain, type ScratchDb } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { backup, fixture, node, OLD_HOST, shortDir } from './kit.js'
import { roundTrip } from './kit-check.js'

const base = shortDir(t, 'rtp')
const clara = path.join(base, 'old')
let src: ScratchDb
let run = ''
const scratch: ScratchDb[] = []

async function freshDb(): Promise<ScratchDb> {
  const d = await createPgDb('clara_restore')
  scratch.push(d)
  return d
}

async function tables(url: string): Promise<number> {
  const db = await openDb(url, { readonly: true })
  try {
    return (await db.tables()).length
  } finally {
    await db.close()
  }
}

/** What a refused restore left under its new root (only its own state folder may be there). */
async function leftIn(to: string): Promise<string[]> {
  return (await fsp.readdir(to).catch(() => [] as string[])).filter((n) => n !== '.clara-restore')
}

t.before(async () => {
  src = await freshDb()
  await fixture(clara, src.url)
  run = await backup(clara, src.url, path.join(base, 'backups'))
})
t.teardown(async () => {
  for (const d of scratch) await d.drop()
})

let restoredInto: ScratchDb

t.test('PostgreSQL: restore into a fresh database at a new path', async (t) => {
  const v = await node('verify', [run, '--data', 'full', '--no-state', '--quiet'])
  t.equal(v.code, 0, `clara-verify --data full passes on the run ${v.stderr}`)
  restoredInto = await freshDb()
  await roundTrip(t, { run, to: path.join(base, 'new'), clara, srcDb: src.url, dstDb: restoredInto.url })
})

t.test('a target database that holds tables is refused, nothing written', async (t) => {
  const to = path.join(base, 'again')
  const r = await runMain(main, { argv: [run, '--to', to, '--db', restoredInto.url, '--quiet'] })
  t.equal(r.code, 3)
  t.match(r.stderr, /already holds \d+ tables: refusing/)
  t.same(await leftIn(to), [], 'no file restored')
  t.notOk(r.stderr.includes('password'), 'no secret printed')
})

t.test('--force restores over it (pg_restore --clean)', async (t) => {
  const to = path.join(base, 'forced')
  const r = await runMain(main, { argv: [run, '--to', to, '--db', restoredInto.url, '--force', '--domains', 'db', '--quiet'] })
  t.equal(r.code, 0, r.stderr)
  const db = await openDb(restoredInto.url, { readonly: true })
  const rows = await db.query<{ p: string }>('select file_path as p from orm_audio_metadata where id = 1')
  await db.close()
  t.ok(rows[0].p.startsWith(`${to}/audio/tts_repository_orm/`), 'rewritten into the forced root')
})

t.test('a new root too long for varchar(200) is refused in the pre-flight, nothing written', async (t) => {
  const to = path.join(base, 'a-much-longer-new-root-for-the-migrated-clara-install')
  const dst = await freshDb()
  const r = await runMain(main, { argv: [run, '--to', to, '--db', dst.url, '--sources', '--quiet'] })
  t.equal(r.code, 3)
  t.match(r.stderr, /clara_app_archivedimagemetadata\.file_path 1: \d+ > 200 characters.*Nothing was written/)
  t.equal(await tables(dst.url), 0, 'the database is untouched')
  t.same(await leftIn(to), [], 'no file restored')
  const f = await runMain(main, { argv: [run, '--to', to, '--db', dst.url, '--domains', 'db', '--force', '--quiet'] })
  t.equal(f.code, 0, `--force keeps the value unrewritten ${f.stderr}`)
  const db = await openDb(dst.url, { readonly: true })
  const rows = await db.query<{ p: string }>('select file_path as p from clara_app_archivedimagemetadata where id = 1')
  await db.close()
  t.ok(rows[0].p.startsWith(OLD_HOST + '/'), 'kept as it was')
  const report = JSON.parse(await fsp.readFile(path.join(to, 'restore_report.json'), 'utf8'))
  t.equal(report.proof.kept_overflow.length, 1, 'and listed in the report')
  t.equal(report.preflight.overflow[0].max, 200)
  t.notOk(existsSync(path.join(to, 'clara_compiled')), '--domains db restores the database only')
})
