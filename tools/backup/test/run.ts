/**
 * Whole runs on the SQLite fixture with the real bins: a full run (manifest = the indexes,
 * permissions, `latest` after the manifest), an incremental run after changing two projects (only
 * those units rebuilt, by inode), `--full` (nothing shared), and a run that cannot complete (exit 3).
 */
import t from 'tap'
import { appendFileSync, existsSync, lstatSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { artifactInodes, backup, dirModes, files, indexSums, latest, makeFixture, readJson, runEnv, type Fixture } from './helpers.js'

let f: Fixture
t.before(async () => {
  f = await makeFixture('run')
})
t.teardown(() => f?.cleanup())

/** Append to the first file (in path order) under a project's folder: its source unit changes. */
function touchProject(dir: string): void {
  const first = [...files(path.join(f.clara, 'clara_content', dir)).keys()][0]
  appendFileSync(path.join(f.clara, 'clara_content', dir, first), '\nchanged by a test\n')
}

/** What C-LARA does when somebody logs in: a row of the database changes (its file with it), none a unit holds. */
async function touchRows(): Promise<void> {
  const db = await openDb(f.db, { readonly: false })
  await db.query("UPDATE auth_user SET last_login = '2026-12-08 00:00:00' WHERE id = (SELECT MIN(id) FROM auth_user)")
  await db.close()
}

t.test('a full run: exit 1 (project 12 has an unresolved reference), manifest totals = the indexes, 750/640, latest last', async (t) => {
  const root = path.join(f.dir, 'backups')
  const r = await backup(f, root, [], { umask: '000' })
  t.equal(r.code, 1, 'exit 1', { stderr: r.stderr })
  const run = latest(root)!
  t.ok(run, 'latest is set')
  const m = readJson(path.join(run, 'manifest.json'))
  t.same(r.run, { type: 'run', ...m }, 'the run record is the manifest')
  t.match(m, { version: 1, run_id: path.basename(run), status: 'partial', resumed: false, incremental_from: null, clara: f.clara, toolkit_version: String, host: String })
  t.same(Object.keys(m.domains), ['source_exports', 'compiled_exports', 'legacy_zips', 'db', 'audio_cache', 'media', 'infra'], 'the design order')
  const sums = indexSums(run)
  t.same(Object.keys(sums).sort(), Object.keys(m.domains).sort())
  for (const [d, s] of Object.entries(sums)) t.match(m.domains[d], s, `${d}: units, bytes and failures of the manifest are the index sums`)
  const tot = Object.values(sums).reduce((a, s) => ({ units: a.units + s.units, bytes: a.bytes + s.bytes, failures: a.failures + s.failures }), { units: 0, bytes: 0, failures: 0 })
  t.match(m.totals, { ...tot, reused: 0, new_bytes: tot.bytes })
  t.ok(tot.units > 20 && tot.bytes > 1_000_000, `a real run: ${tot.units} units, ${tot.bytes} bytes`)
  const failures = readJson(path.join(run, 'failures.json')).failures
  t.match(failures, [{ domain: 'compiled_exports', unit: '12', code: 'EUNRESOLVED' }], 'failures.json names the one failure')
  t.equal(failures.length, 1)
  for (const [rel, st] of files(run)) t.equal(Number(st.mode) & 0o7777, 0o640, `${rel} is 640 (started with umask 000)`)
  for (const [rel, mode] of dirModes(run)) t.equal(mode, 0o750, `${rel}/ is 750`)
  t.ok(lstatSync(path.join(root, 'latest')).mtimeMs >= lstatSync(path.join(run, 'manifest.json')).mtimeMs, 'latest switched after the manifest was written')
  t.match(r.stderr, new RegExp(`run ${m.run_id} partial in [\\d.]+ s, full: ${tot.units} units \\(0 reused\\)`), 'the summary')
  t.match(r.stderr, /compiled_exports +4 units +0 reused .* 1 failure/)
  t.notMatch(r.stderr, /"msg":"progress"/, 'the tools’ progress lines are drawn, not relayed')
})

t.test('after changing two projects, a second run rebuilds only those two units; the rest are hard links', async (t) => {
  const root = path.join(f.dir, 'backups')
  const prev = latest(root)!
  touchProject('Peter_Rabbit_small5')
  touchProject('Mary_had_a_little_lamb_37')
  await touchRows()
  const r = await backup(f, root)
  t.equal(r.code, 1, 'exit 1', { stderr: r.stderr })
  const run = latest(root)!
  t.not(run, prev, 'latest moved on')
  const before = artifactInodes(prev)
  const after = artifactInodes(run)
  t.same([...after.keys()].sort(), [...before.keys()].filter((k) => !k.startsWith('db/')).concat([...after.keys()].filter((k) => k.startsWith('db/'))).sort(), 'the same artifacts (a new dump name)')
  const rebuilt = [...after].filter(([k, ino]) => before.get(k) !== ino).map(([k]) => k)
  const archives = rebuilt.filter((k) => !k.startsWith('db/') && !k.startsWith('infra/'))
  t.same(archives.sort(), [
    'compiled_exports/12/compiled_phonetic.zip', // failed in the previous run: never reused, by design (clara-zip-unit)
    'source_exports/37/source.zip',
    'source_exports/5/source.zip',
  ], 'only the two changed projects (and the unit that failed last time) were rebuilt')
  t.ok(rebuilt.some((k) => k.startsWith('db/')), 'the changed database is dumped again')
  const m = readJson(path.join(run, 'manifest.json'))
  t.equal(m.incremental_from, path.basename(prev))
  t.match(m.domains.source_exports, { units: 7, reused: 5 })
  t.match(m.domains.compiled_exports, { reused: m.domains.compiled_exports.units - 1 })
  for (const d of ['legacy_zips', 'audio_cache', 'media']) t.equal(m.domains[d].reused, m.domains[d].units, `${d}: every unit reused`)
  t.ok(m.totals.new_bytes < m.totals.bytes / 2, `${m.totals.new_bytes} of ${m.totals.bytes} bytes are new`)
  t.match(r.stderr, new RegExp(`incremental from ${path.basename(prev)}: \\d+ units \\(${m.totals.reused} reused\\)`))
})

t.test('--full rebuilds everything: no artifact shares an inode with the previous run', async (t) => {
  const root = path.join(f.dir, 'backups')
  const prev = latest(root)!
  const r = await backup(f, root, ['--full'])
  t.equal(r.code, 1, 'exit 1', { stderr: r.stderr })
  const run = latest(root)!
  t.not(run, prev)
  const before = artifactInodes(prev)
  const after = artifactInodes(run)
  t.equal(after.size, before.size)
  t.same([...after].filter(([k, ino]) => before.get(k) === ino), [], 'nothing hard-linked')
  const prevInodes = new Set([...files(prev).values()].map((s) => s.ino))
  t.same([...files(run)].filter(([, s]) => prevInodes.has(s.ino)).map(([k]) => k), [], 'no file at all is shared')
  t.match(readJson(path.join(run, 'manifest.json')), { incremental_from: null, totals: { reused: 0 } })
})

t.test('a database that cannot be reached: the run is incomplete (exit 3), its manifest says so, latest stays', async (t) => {
  const root = path.join(f.dir, 'backups')
  const before = latest(root)
  const r = await backup({ ...f, db: 'postgres://clara:s3cret-pw@127.0.0.1:1/clara' }, root, ['--domains', 'source,legacy,db'])
  t.equal(r.code, 3, 'exit 3', { stderr: r.stderr })
  t.notMatch(r.stdout + r.stderr, /s3cret-pw/, 'the password is never printed')
  t.equal(latest(root), before, 'latest not switched')
  t.match(r.stderr, /latest not switched: the run is incomplete \(resume it with --resume \d{8}T\d{6}Z\)/)
  const m = r.run
  t.match(m, { status: 'incomplete', domains: { db: { incomplete: true, exit_code: 3 }, source_exports: { incomplete: true }, legacy_zips: { units: 2 } } })
  t.notOk(m.domains.legacy_zips.incomplete, 'domains that need no database still ran')
  t.ok(existsSync(path.join(root, m.run_id, 'manifest.json')), 'the incomplete run has its manifest (status incomplete)')
  t.same(r.records.filter((x) => x.type === 'error' && x.during === 'domain').map((x) => x.item).sort(), ['db', 'source'])
  const failures = readJson(path.join(root, m.run_id, 'failures.json')).failures
  t.same(failures.filter((x: { step: string }) => x.step === 'domain-incomplete').map((x: { domain: string; code: string }) => `${x.domain} ${x.code}`).sort(),
    ['db EDOMAIN', 'source_exports EDOMAIN'], "the run's failures.json names each domain that did not complete")
  t.equal(m.totals.failures, failures.length, 'and the manifest counts the same failures')
  t.notMatch(JSON.stringify(failures), /s3cret-pw/, 'the password is not in failures.json either')
})

t.test('a tool that stops on a full disk (clara-shard): incomplete, out of space, in failures.json; --resume removes the entry', async (t) => {
  const root = path.join(f.dir, 'shardfull')
  // every write past 64 KiB fails with ENOSPC in each process: clara-shard stops (exit 3) with its archive half written
  const r = await backup(f, root, ['--domains', 'audio'], { env: runEnv({ CLARA_FAULT_ENOSPC_AFTER: String(64 << 10) }) })
  t.equal(r.code, 3, 'exit 3', { stderr: r.stderr })
  t.match(r.stderr, /audio: the backup filesystem is full \(audio_cache: clara-shard: .*ENOSPC.*\): free space, then finish the run with --resume/)
  t.match(r.records.find((x) => x.type === 'error' && x.during === 'domain'), { item: 'audio', code: 'ENOSPC' })
  const doc = readJson(path.join(root, r.run.run_id, 'failures.json'))
  t.match(doc.failures, [{ domain: 'audio_cache', step: 'domain-incomplete', code: 'ENOSPC', message: /^did not complete \(exit 3\): clara-shard: .*ENOSPC/ }])
  t.equal(doc.failures.length, 1)
  t.equal(r.run.totals.failures, 1, 'the manifest counts it once')
  const again = await backup(f, root, ['--domains', 'audio', '--resume', r.run.run_id])
  t.equal(again.code, 0, 'space back: the resumed run completes', { stderr: again.stderr })
  t.same(readJson(path.join(root, r.run.run_id, 'failures.json')).failures, [], 'the entry of the attempt that did not complete is gone')
  t.match(again.run, { status: 'complete', totals: { failures: 0 } })
})

t.test('a unit that fails for lack of space makes the run incomplete (exit 3), even when its tools exit 1; --resume finishes it', async (t) => {
  const root = path.join(f.dir, 'nospace')
  // ENOSPC injected at our I/O layer for one project's files: clara-zip-unit writes an error record and exits 1.
  const env = runEnv({ CLARA_FAULT_INJECT: `ENOSPC@read:${path.join(f.clara, 'clara_content')}/` })
  const r = await backup(f, root, ['--domains', 'source,legacy'], { env })
  t.equal(r.code, 3, 'exit 3, not 1', { stderr: r.stderr })
  t.match(r.stderr, /source: the backup filesystem is full \(.*ENOSPC.*\): free space, then finish the run with --resume \d{8}T\d{6}Z/)
  t.match(r.stderr, /latest not switched: the run is incomplete/)
  t.match(r.run, { status: 'incomplete', domains: { source_exports: { incomplete: true }, legacy_zips: { units: 2 } } })
  t.notOk(r.run.domains.legacy_zips.incomplete, 'the other domain is not affected')
  t.match(r.records.find((x) => x.type === 'error' && x.during === 'domain'), { item: 'source', code: 'ENOSPC' })
  const again = await backup(f, root, ['--domains', 'source,legacy', '--resume', r.run.run_id])
  t.equal(again.code, 0, 'space back: the resumed run completes', { stderr: again.stderr })
  t.match(again.run, { run_id: r.run.run_id, status: 'complete', domains: { source_exports: { failures: 0 } } })
})
