/**
 * Retention on a realistic history: 60 nightly runs, every one partial (a missing mp3 in the audio
 * cache, as on real installs), incremental (unchanged files hard-linked), plus what an admin adds: a
 * `--domains db,infra` run, `--only` runs, an incomplete run and a pinned one. The run folders are
 * made the way clara-backup writes them (per-domain index.json and failures.json, the merged
 * failures.json, manifest.json with selection, per-domain counts and status).
 */
import t from 'tap'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { makeBackupRun, setLatest, verifyRun } from '@clara/shared/testkit-runs'
import { formatRunId } from '@clara/shared/run-set'
import { main } from '../src/main.js'

const NOW = '2026-12-07T12:00:00Z'
const nightlyId = (day: Date) => formatRunId(new Date(day.getTime() + (2 * 60 + 30) * 60_000))
const at = (iso: string) => formatRunId(new Date(iso))
/** 2026-10-09 … 2026-12-07: sixty UTC days. */
const DAYS = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 9, 9 + i)))
const MISSING_MP3 = { audio_cache: [{ unit: 'audio/tts_repository_orm/openai/french/alloy/alloy_missing.mp3', step: 'list', message: 'file named by orm_audio_metadata#8 is missing' }] }

function nightlyFiles(n: number): Record<string, string> {
  return {
    'source_exports/5/source.zip': 'project 5 never changes '.repeat(200),
    'source_exports/37/source.zip': `project 37, edited on night ${n}`,
    'audio_cache/archives/tts_audio_part_0001.tar': 'the audio shard '.repeat(100),
    [`db/clara_db_${String(n).padStart(3, '0')}.sqlite3`]: `database on night ${n}`,
    'infra/git_info.txt': 'commit fa5b553',
  }
}

async function history(root: string): Promise<{ nightly: string[]; extra: Record<string, string> }> {
  const nightly: string[] = []
  for (const [n, day] of DAYS.entries()) {
    const id = nightlyId(day)
    await makeBackupRun(root, id, { files: nightlyFiles(n), linkFrom: nightly.at(-1), failures: MISSING_MP3, keep: id === at('2026-10-15T02:30:00Z') })
    nightly.push(id)
  }
  const extra = {
    dbInfra: at('2026-12-07T10:00:00Z'),
    onlyRecent: at('2026-12-05T12:00:00Z'),
    onlyOld: at('2026-11-02T12:00:00Z'),
    incomplete: at('2026-11-10T03:00:00Z'),
  }
  // clean and the newest of all, but only db and infra: the old prune took it as "the newest run without failures"
  await makeBackupRun(root, extra.dbInfra, { files: { 'db/clara_db_999.sqlite3': 'database at 10:00', 'infra/git_info.txt': 'commit fa5b553' }, selection: { domains: ['db', 'infra'], full: false } })
  for (const id of [extra.onlyRecent, extra.onlyOld]) {
    await makeBackupRun(root, id, { files: { 'source_exports/37/source.zip': `project 37 alone at ${id}` }, selection: { only: ['37'], full: false } })
  }
  await makeBackupRun(root, extra.incomplete, { files: nightlyFiles(99), failures: { db: [{ unit: 'db', step: 'domain-incomplete', message: 'did not complete (exit 3)', code: 'EDOMAIN' }] }, status: 'incomplete' })
  await setLatest(root, nightly.at(-1)!)
  return { nightly, extra }
}

async function prune(root: string, ...argv: string[]) {
  const r = await runMain(main, { argv: ['--root', root, '--now', NOW, ...argv] })
  return { ...r, records: r.records as Record<string, any>[] }
}

t.test('60 partial nightly runs: old ones go, the right ones stay', async (t) => {
  const root = t.testdir()
  const { nightly, extra } = await history(root)
  const keepNightly = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07', // daily
    '2026-11-29', '2026-11-22', // weekly: the newest run of W48 and W47 (W50 and W49 are daily ones)
    '2026-10-15'] // pinned
    .map((d) => at(`${d}T02:30:00Z`))
  const expected = [...keepNightly, extra.dbInfra, extra.onlyRecent].sort()

  const dry = await prune(root)
  t.equal(dry.code, 0, dry.stderr)
  const decisions = dry.records.filter((x) => x.type === 'prune')
  t.equal(decisions.length, 64)
  t.same(decisions.filter((x) => x.action === 'keep').map((x) => x.run).sort(), expected)
  const why = Object.fromEntries(decisions.map((x) => [x.run, x.reason]))
  t.match(why[nightly.at(-1)!], /^newest complete full-selection run; latest points to it; daily 2026-12-07; weekly 2026-W50$/, 'the newest nightly run, partial, is the newest that counts')
  t.match(why[extra.dbInfra], /^covers part of the install \(--domains db,infra\); within the daily window$/, 'the clean db,infra run is not taken as the newest')
  t.match(why[extra.onlyOld], /--only 37.*older than the daily window/)
  t.match(why[extra.incomplete], /status incomplete.*older than the daily window/)
  t.match(why[at('2026-10-15T02:30:00Z')], /^pinned by a keep file$/)
  t.match(why[nightly[0]], /not among the newest 7 daily \/ 4 weekly complete full-selection runs/)
  t.match(dry.records.find((x) => x.type === 'summary'), { deleted: 52, kept: 12, dry_run: true, blocked: null })
  t.equal((await fsp.readdir(root)).length, 65, 'a dry run deletes nothing')

  const r = await prune(root, '--delete')
  t.equal(r.code, 0, r.stderr)
  t.same((await fsp.readdir(root)).sort(), [...expected, 'latest'].sort())
  t.equal(await fsp.readlink(path.join(root, 'latest')), nightly.at(-1))
  for (const id of expected) {
    const v = await verifyRun(path.join(root, id))
    t.ok(v.ok && v.checked > 0, `${id} still verifies ${JSON.stringify(v.problems)}`)
  }
  const shared = await fsp.stat(path.join(root, nightly.at(-1)!, 'source_exports/5/source.zip'))
  t.equal(shared.nlink, keepNightly.length, 'the unchanged file is now linked by the ten nightly runs left')

  const again = await prune(root, '--delete')
  t.equal(again.records.filter((x) => x.action === 'delete').length, 0, 'a second prune finds nothing more')

  // the next night: Dec 1 leaves the daily window, and it is not the newest run of W49 (Dec 6 is)
  const next = nightlyId(new Date(Date.UTC(2026, 11, 8)))
  await makeBackupRun(root, next, { files: nightlyFiles(60), linkFrom: nightly.at(-1), failures: MISSING_MP3 })
  await setLatest(root, next)
  const night = await runMain(main, { argv: ['--root', root, '--now', '2026-12-08T12:00:00Z', '--delete'] })
  t.equal(night.code, 0, night.stderr)
  const gone = (night.records as Record<string, any>[]).filter((x) => x.type === 'prune' && x.action === 'delete').map((x) => x.run)
  t.same(gone, [at('2026-12-01T02:30:00Z')])
})

t.test('no complete full-selection run yet: nothing is deleted, with a warning', async (t) => {
  const root = t.testdir()
  await makeBackupRun(root, at('2026-12-01T02:30:00Z'), { files: nightlyFiles(1), status: 'incomplete', failures: { db: [{ unit: 'db', step: 'domain-incomplete', message: 'did not complete (exit 3)' }] } })
  await makeBackupRun(root, at('2026-12-07T10:00:00Z'), { files: { 'db/clara_db_1.sqlite3': 'x' }, selection: { domains: ['db'], full: false } })
  const r = await prune(root, '--delete', '--daily', '0', '--weekly', '0')
  t.equal(r.code, 0)
  t.equal((await fsp.readdir(root)).length, 2)
  t.match(r.records[0], { type: 'warning', during: 'prune', message: /no complete full-selection run yet/ })
})

t.test('manifests from before selection.full: a --domains db,infra run is told apart by its domains', async (t) => {
  const root = t.testdir()
  const legacy = { full: undefined }
  const ids: string[] = []
  for (const d of [1, 2, 3, 4]) {
    const id = at(`2026-12-0${d}T02:30:00Z`)
    await makeBackupRun(root, id, { files: nightlyFiles(d), linkFrom: ids.at(-1), failures: MISSING_MP3, selection: legacy })
    ids.push(id)
  }
  const dbInfra = at('2026-12-04T10:00:00Z')
  await makeBackupRun(root, dbInfra, { files: { 'db/clara_db_999.sqlite3': 'x', 'infra/git_info.txt': 'y' }, selection: { ...legacy, domains: ['db', 'infra'] } })
  t.equal(JSON.parse(await fsp.readFile(path.join(root, dbInfra, 'manifest.json'), 'utf8')).selection.full, undefined, 'an older manifest: no full field')
  const r = await prune(root, '--daily', '1', '--weekly', '0')
  const why = Object.fromEntries(r.records.filter((x) => x.type === 'prune').map((x) => [x.run, x.reason]))
  t.match(why[ids[3]], /^newest complete full-selection run; daily 2026-12-04$/)
  t.match(why[dbInfra], /^covers part of the install \(--domains db,infra\); within the daily window$/)
})
