import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ndjsonOf, repoRoot } from '@clara/shared/testkit'
import { binPath, spawnTool } from '@clara/shared/testkit-spawn'
import { workerEntry } from '../src/pool.js'

t.test('run from its bundle, the pool starts its workers from their own bundle; run from modules, from the module', async (t) => {
  const dir = t.testdir({ 'bin.bundle.mjs': '', 'pool.js': '' })
  const url = (name: string) => pathToFileURL(path.join(dir, name)).href
  t.equal(workerEntry(url('bin.bundle.mjs')).href, url('worker.js'), 'no worker bundle beside the bundle: the module')
  writeFileSync(path.join(dir, 'worker.bundle.mjs'), '')
  t.equal(workerEntry(url('bin.bundle.mjs')).href, url('worker.bundle.mjs'))
  t.equal(workerEntry(url('pool.js')).href, url('worker.js'), 'modules start the module')
})

t.test('the built tool (its bundle) zips units on two workers started from the worker bundle', async (t) => {
  t.ok(existsSync(path.join(repoRoot(), 'tools/zip-unit/dist/src/worker.bundle.mjs')), 'the build bundles the worker (package.json bundleWorkers)')
  const dir = t.testdir({ proj: { 'a.txt': 'alpha\n'.repeat(100), 'b.png': Buffer.alloc(5000, 7), sub: { 'c.html': '<p>c</p>' } }, dest: {} })
  const units = ['1', '2', '3'].map((u) => ({
    type: 'unit', domain: 'source_exports', unit: u,
    archives: [{ name: 'source', sources: [{ dir: path.join(dir, 'proj'), prefix: 'p', restore_to: `clara_content/${u}` }] }],
    metadata: { id: Number(u) },
  }))
  const r = await spawnTool(binPath('clara-zip-unit'), ['--dest', path.join(dir, 'dest'), '--workers', '2', '--quiet'], { input: ndjsonOf(units as never) })
  t.equal(r.code, 0, r.stderr)
  const arts = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.type === 'artifact')
  t.same(arts.map((a) => a.unit), ['1', '2', '3'], 'one artifact per unit, in input order')
  for (const a of arts) t.match(execFileSync('unzip', ['-t', path.join(dir, 'dest', a.path)], { encoding: 'utf8' }), /No errors detected/)
})
