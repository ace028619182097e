import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { workersStarted } from '@clara/shared/testkit-workers'
import { ndjsonOf, repoRoot, runMain } from '@clara/shared/testkit'
import { binPath, childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { DEFAULT_LEVEL, type ZipOptions } from '../src/options.js'
import { UnitPool, workerEntry } from '../src/pool.js'
import { EAGER, type Spill } from '../src/spill.js'

const started = workersStarted()

const unitsOf = (dir: string, names: string[]) => names.map((u) => ({
  type: 'unit' as const, domain: 'source_exports', unit: u,
  archives: [{ name: 'source', sources: [{ dir: path.join(dir, 'proj'), prefix: 'p', restore_to: `clara_content/${u}` }] }],
}))
const projTree = { proj: { 'a.txt': 'alpha\n'.repeat(100), 'b.png': Buffer.alloc(5000, 7) }, dest: {} }
const zo = (dir: string): ZipOptions => ({ dest: path.join(dir, 'dest'), level: DEFAULT_LEVEL, checksums: false, dryRun: false, existing: 'skip', bigFile: 16 << 20, rewriteBudget: 64 << 20 })

t.test('one unit is zipped in this thread: the tool starts no worker thread', async (t) => {
  const dir = t.testdir(projTree)
  const before = started.length
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'dest'), '--workers', '2', '--quiet'], input: unitsOf(dir, ['1']) as never })
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.map((x) => x.type), ['artifact', 'summary', 'end'])
  t.same(started.slice(before), [], 'no Worker constructed')
})

t.test('units that wait while a core is spare start workers, one at a time, up to --workers - 1', async (t) => {
  const dir = t.testdir(projTree)
  const before = started.length
  const pool = new UnitPool(3, zo(dir), EAGER)
  const results = await Promise.all(unitsOf(dir, ['1', '2', '3', '4', '5', '6', '7', '8']).map((u) => pool.run(u)))
  t.equal(pool.workers, 2, 'this thread and two workers: three lanes')
  await pool.close()
  t.equal(started.length - before, 2, 'two Workers constructed')
  t.ok(started.slice(before).every((f) => f.endsWith('/worker.js')), 'from the worker module')
  t.same(results.map((r) => r.failed), Array(8).fill(false))
  t.same(results.map((r) => (r.records[0] as { unit?: string }).unit), ['1', '2', '3', '4', '5', '6', '7', '8'], 'each promise has its own unit')
})

t.test('with no core to spare, units wait for this thread instead of starting workers', async (t) => {
  const dir = t.testdir(projTree)
  const before = started.length
  let asked = 0
  const busy: Spill = { waitMs: 0, spare: () => () => (asked++, false) }
  const pool = new UnitPool(2, zo(dir), busy)
  const results = await Promise.all(unitsOf(dir, ['1', '2', '3', '4', '5', '6']).map((u) => pool.run(u)))
  await pool.close()
  t.ok(asked > 0, 'the units waited, and the CPUs were asked')
  t.equal(pool.workers, 0)
  t.equal(started.length, before, 'no Worker constructed')
  t.same(results.map((r) => r.failed), Array(6).fill(false))
})

t.test('--workers 1 never starts a worker, however long units wait', async (t) => {
  const dir = t.testdir(projTree)
  const before = started.length
  const pool = new UnitPool(1, zo(dir), EAGER)
  await Promise.all(unitsOf(dir, ['1', '2', '3', '4', '5']).map((u) => pool.run(u)))
  await pool.close()
  t.equal(started.length, before)
})

t.test('run from its bundle, the pool starts its workers from their own bundle; run from modules, from the module', async (t) => {
  const dir = t.testdir({ 'bin.bundle.mjs': '', 'pool.js': '' })
  const url = (name: string) => pathToFileURL(path.join(dir, name)).href
  t.equal(workerEntry(url('bin.bundle.mjs')).href, url('worker.js'), 'no worker bundle beside the bundle: the module')
  writeFileSync(path.join(dir, 'worker.bundle.mjs'), '')
  t.equal(workerEntry(url('bin.bundle.mjs')).href, url('worker.bundle.mjs'))
  t.equal(workerEntry(url('pool.js')).href, url('worker.js'), 'modules start the module')
})

t.test('the built tool (its bundle) zips units on workers started from the worker bundle', async (t) => {
  t.ok(existsSync(path.join(repoRoot(), 'tools/zip-unit/dist/src/worker.bundle.mjs')), 'the build bundles the worker (package.json bundleWorkers)')
  const dir = t.testdir({ proj: { 'a.txt': 'alpha\n'.repeat(100), 'b.png': Buffer.alloc(5000, 7), sub: { 'c.html': '<p>c</p>' } }, dest: {} })
  const units = ['1', '2', '3'].map((u) => ({
    type: 'unit', domain: 'source_exports', unit: u,
    archives: [{ name: 'source', sources: [{ dir: path.join(dir, 'proj'), prefix: 'p', restore_to: `clara_content/${u}` }] }],
    metadata: { id: Number(u) },
  }))
  // eager: a worker as soon as a unit waits, so the worker bundle is what zips some of them
  const r = await spawnTool(binPath('clara-zip-unit'), ['--dest', path.join(dir, 'dest'), '--workers', '2', '--quiet'], { input: ndjsonOf(units as never), env: childEnv({ CLARA_ZIP_SPILL: 'eager' }) })
  t.equal(r.code, 0, r.stderr)
  const arts = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.type === 'artifact')
  t.same(arts.map((a) => a.unit), ['1', '2', '3'], 'one artifact per unit, in input order')
  for (const a of arts) t.match(execFileSync('unzip', ['-t', path.join(dir, 'dest', a.path)], { encoding: 'utf8' }), /No errors detected/)
})
