/**
 * Bad input on the backup side and secrets (issue 15 items 8, 9), on the SQLite fixture with the real bins:
 * --quiet prints nothing but fatal lines; with --jobs 2 each tool line names its own domain; a full
 * backup disk ends in one line, exit 3; a file that keeps changing while read fails its unit, which leaves no folder.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { filesUnder } from '@clara/shared/testkit'
import { binPath, spawnTool } from '@clara/shared/testkit-spawn'
import { tagLine } from '../src/progress.js'
import { backup, makeFixture, readJson, runEnv, type Fixture } from './helpers.js'

let f: Fixture
t.before(async () => {
  f = await makeFixture('input')
})
t.teardown(() => f?.cleanup())

t.test('tagLine: a text line gets its domain in front, a JSON line a domain field', async (t) => {
  t.equal(tagLine('clara-zip-unit: 4 units', 'compiled'), '[compiled] clara-zip-unit: 4 units')
  t.same(JSON.parse(tagLine('{"level":50,"name":"clara-zip-unit","msg":"x"}', 'source')), { level: 50, name: 'clara-zip-unit', msg: 'x', domain: 'source' })
  t.equal(tagLine('{not json', 'db'), '[db] {not json')
})

t.test('--jobs 2: every line of a tool names its own domain', async (t) => {
  const r = await backup(f, path.join(f.dir, 'jobs'), ['--domains', 'source,compiled', '--jobs', '2'])
  t.equal(r.code, 1, 'project 12 fails in compiled: exit 1', { stderr: r.stderr })
  const toolLines = r.stderr.split('\n').filter((l) => l && !l.startsWith('clara-backup: '))
  t.ok(toolLines.length > 0, 'the tools said something')
  t.same(toolLines.filter((l) => !/^\[(source|compiled)\] clara-[a-z-]+: /.test(l)), [], 'each tool line starts with [domain]')
  t.match(toolLines.filter((l) => l.includes('EUNRESOLVED') || l.includes('unresolved')), [/^\[compiled\] /], "the compiled failure is under compiled's name")
  t.ok(toolLines.some((l) => l.startsWith('[source] ')) && toolLines.some((l) => l.startsWith('[compiled] ')), 'both domains spoke, each under its name')
})

t.test('--quiet: a partial run prints nothing at all (its failures are in failures.json)', async (t) => {
  const r = await backup(f, path.join(f.dir, 'quiet'), ['--domains', 'source,compiled', '--quiet'])
  t.equal(r.code, 1, 'exit 1: project 12 failed')
  t.equal(r.stderr, '', 'not one non-fatal line')
  t.match(r.run, { status: 'partial', totals: { failures: 1 } })
})

t.test('a backup disk that is full for clara-backup itself: one line, exit 3, no stack trace', async (t) => {
  // every write through our atomic layer fails with ENOSPC, in each process: the tools and clara-backup's own documents
  const r = await backup(f, path.join(f.dir, 'full'), ['--domains', 'infra'], { env: runEnv({ CLARA_FAULT_ENOSPC_AFTER: '0' }) })
  t.equal(r.code, 3, r.stderr)
  t.notMatch(r.stderr, /^(\[infra\] )?\s+at /m, 'no stack trace, from clara-backup or its tools')
  t.match(r.stderr, /^\[infra\] clara-infra: ENOSPC: no space left on device, write '[^']+'/m, 'the tool that hit it: one line naming the file')
  t.match(r.stderr.trim().split('\n').at(-1), /^clara-backup: .*ENOSPC/, 'the last line says the disk is full')
})

t.test('a file that keeps changing while read: its unit is retried once, then a failure; no folder is left, so verify finds no unfinished unit', async (t) => {
  // the fault hook appends a byte to the file before every read of it (driven by the test, not a race)
  const file = filesUnder(path.join(f.clara, 'clara_content')).find((p) => /_37\/.+\.txt$/.test(p))
  if (!file) throw new Error('the fixture has no text file of project 37')
  const env = runEnv({ CLARA_FAULT_INJECT: `GROW:${file}` })
  const root = path.join(f.dir, 'changing')
  const r = await backup(f, root, ['--domains', 'source'], { env })
  t.equal(r.code, 1, 'exit 1: one unit failed', { stderr: r.stderr })
  const run = path.join(root, r.run.run_id)
  const failures = readJson(path.join(run, 'source_exports/failures.json')).failures
  t.match(failures, [{ unit: '37', code: 'ECHANGED', message: /changed while being read.*\(retried once\)/ }])
  t.notOk(existsSync(path.join(run, 'source_exports/37')), 'no folder for the failed unit')
  t.ok(existsSync(path.join(run, 'source_exports/5/metadata.json')), 'the other units are done')
  const v = await spawnTool(binPath('clara-verify'), [run, '--quiet'], { env: runEnv(), timeoutMs: 120_000 })
  const units = v.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((x) => x.type === 'verdict' && x.check === 'unit')
  t.ok(units.length >= 5, 'verify looked at the units')
  t.same(units.filter((x) => !x.ok), [], 'no unit verdict fails (an empty folder was "unfinished: no metadata.json")')
})

t.test('an audio file that keeps changing: clara-shard retries it once, then one failure (counted once), the shard holds the rest', async (t) => {
  const mp3 = filesUnder(path.join(f.clara, 'audio')).find((p) => p.endsWith('.mp3'))
  if (!mp3) throw new Error('the fixture has no audio file')
  const env = runEnv({ CLARA_FAULT_INJECT: `GROW:${mp3}` })
  const root = path.join(f.dir, 'changing-audio')
  const r = await backup(f, root, ['--domains', 'audio'], { env })
  t.equal(r.code, 1, 'exit 1', { stderr: r.stderr })
  const failures = readJson(path.join(root, r.run.run_id, 'audio_cache/failures.json')).failures
  t.match(failures, [{ code: 'ECHANGED', item: path.basename(mp3), message: /changed while being read/ }])
  t.equal(failures.length, 1, 'one failure, not the same one twice (clara-shard writes `during`, the error record says it too)')
  t.equal(r.run.totals.failures, 1, 'the manifest counts it once')
})
