/**
 * Bad input on the backup side and secrets (issue 15 items 8, 9), on the SQLite fixture with the real bins:
 * --quiet prints nothing but fatal lines; with --jobs 2 each tool line names its own domain; a full
 * backup disk ends in one line, exit 3.
 */
import t from 'tap'
import path from 'node:path'
import { tagLine } from '../src/progress.js'
import { backup, makeFixture, runEnv, type Fixture } from './helpers.js'

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
