import t from 'tap'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { ClaraRecord } from '@clara/shared/records'
import { ndjsonOf, runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const D = 'source_exports'

/** Write `<dest>/source_exports/<unit>/source.zip` and return its artifact record. */
function artifact(dest: string, unit: string, body: string, extra: Record<string, unknown> = {}): ClaraRecord {
  const rel = `${D}/${unit}/source.zip`
  mkdirSync(path.join(dest, D, unit), { recursive: true })
  writeFileSync(path.join(dest, rel), body)
  return { type: 'artifact', domain: D, unit, path: rel, size_bytes: body.length, sha256: sha(body), ...extra }
}
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'))
const index = (dest: string) => readJson(path.join(dest, D, 'index.json'))
const failures = (dest: string) => readJson(path.join(dest, D, 'failures.json'))
const idx = (dest: string, input: string | ClaraRecord[], ...argv: string[]) => runMain(main, { argv: ['--dest', dest, '--domain', D, ...argv], input })
const zipError: ClaraRecord = { type: 'error', during: 'zip', item: '7/project_dir/a.mp3', unit: '7', domain: D, message: 'ENOENT: no such file', code: 'ENOENT' }

t.test('a stream with artifacts and an error: both files written, exit 1', async (t) => {
  const dest = t.testdir()
  const recs = [artifact(dest, '10', 'ten'), { type: 'project', id: 10 }, artifact(dest, 'orphan-x', 'orphan'), zipError, { type: 'warning', during: 'zip', item: 'a', message: 'fifo skipped' }, artifact(dest, '2', 'two', { files: 4 })]
  const r = await idx(dest, recs)
  t.equal(r.code, 1)
  t.equal(r.stderr, '', 'silent without --verbose')
  t.match(r.records, [{ type: 'summary', tool: 'clara-index', domain: D, ok: 3, failed: 1, bytes: 12, entries: 3, failures: 1, kept: 0, planned: 0, written: true }, { type: 'end', count: 1 }])
  t.equal(r.records.length, 2, 'a sink: only its summary on stdout')
  const doc = index(dest)
  t.same(Object.keys(doc), ['version', 'domain', 'generated_at', 'entries'])
  t.match(doc, { version: 1, domain: D })
  t.same(doc.entries.map((e: any) => [e.project_id ?? e.name, e.path]), [[2, '2/source.zip'], [10, '10/source.zip'], ['orphan-x', 'orphan-x/source.zip']])
  t.match(doc.entries[0], { unit: '2', size_bytes: 3, sha256: sha('two'), files: 4, updated_at: /^\d{4}-\d\d-\d\dT/ })
  t.same(failures(dest).failures, [{ unit: '7', step: 'zip', message: 'ENOENT: no such file', code: 'ENOENT', item: '7/project_dir/a.mp3' }])
  t.match(readFileSync(path.join(dest, D, 'index.json'), 'utf8'), /^\{\n {2}"version": 1,\n[^]*\n\}\n$/)
})

t.test('no failures: exit 0 and an empty failures.json; an empty stream gives an empty index', async (t) => {
  const dest = t.testdir()
  t.equal((await idx(dest, [artifact(dest, '1', 'one')])).code, 0)
  t.same(failures(dest).failures, [])
  const empty = t.testdir()
  const r = await idx(empty, [])
  t.equal(r.code, 0)
  t.same(index(empty).entries, [])
})

t.test('a stream without its end record (or broken) is refused: exit 3, nothing written', async (t) => {
  const dest = t.testdir()
  const full = ndjsonOf([artifact(dest, '1', 'one'), artifact(dest, '2', 'two')])
  const lines = full.trimEnd().split('\n')
  const cases: [string, RegExp][] = [
    [lines.slice(0, 2).join('\n') + '\n', /^test: stdin:2: stream ended without its end record/],
    [lines.slice(0, 2).join('\n') + '\n{"type":"end","count":3}\n', /^test: stdin:3: end record says 3 records, stream had 2/],
    [lines[0] + '\n{"type":"artifact","unit":\n' + lines.slice(1).join('\n'), /^test: stdin:2: /],
  ]
  for (const [input, re] of cases) {
    const r = await idx(dest, input)
    t.equal(r.code, 3)
    t.match(r.stderr, re)
    t.equal(r.stdout, '')
    t.same(readdirSync(path.join(dest, D)).sort(), ['1', '2'], 'no index.json, no failures.json, no temp file')
  }
})

t.test('planned artifacts (an upstream --dry-run) and --dry-run write nothing', async (t) => {
  const dest = t.testdir()
  const planned = { ...artifact(dest, '1', 'one'), planned: true }
  let r = await idx(dest, [planned, artifact(dest, '2', 'two')])
  t.equal(r.code, 0)
  t.same(r.records[0], planned, 'the plan is passed on')
  t.match(r.records[1], { type: 'summary', planned: 1, ok: 1, written: false })
  t.notOk(existsSync(path.join(dest, D, 'index.json')))
  r = await idx(dest, [artifact(dest, '2', 'two'), zipError], '--dry-run')
  t.equal(r.code, 1, 'failures still count')
  t.same(r.records[0], zipError, 'the errors the run would record are passed on')
  t.match(r.records[1], { written: false, failed: 1 })
  t.notOk(existsSync(path.join(dest, D, 'failures.json')))
})

t.test("other domains' records are ignored; an artifact that does not check out is a failure", async (t) => {
  const dest = t.testdir()
  const good = artifact(dest, '1', 'one')
  const wrongSize = { ...artifact(dest, '2', 'two'), size_bytes: 99 }
  const missing = { type: 'artifact', domain: D, unit: '3', path: `${D}/3/source.zip`, size_bytes: 1, sha256: sha('x') }
  const other = { type: 'artifact', domain: 'compiled_exports', unit: '1', path: 'compiled_exports/1/compiled_normal.zip', size_bytes: 1, sha256: sha('x') }
  const r = await idx(dest, [good, wrongSize, missing, other, { ...zipError, domain: 'legacy_zips' }])
  t.equal(r.code, 1)
  t.match(r.records, [
    { type: 'error', during: 'index', item: `${D}/2/source.zip`, unit: '2', domain: D, code: 'ESIZE' },
    { type: 'error', during: 'index', unit: '3', code: 'ENOENT' },
    { type: 'summary', ok: 1, failed: 2, ignored: 2 },
    { type: 'end', count: 3 },
  ])
  t.match(r.stderr, /^clara-index: source_exports\/2\/source.zip: 3 bytes on disk, the record says 99\n/m)
  t.same(index(dest).entries.map((e: any) => e.unit), ['1'])
  t.same(failures(dest).failures.map((f: any) => [f.unit, f.step, f.code]), [['2', 'index', 'ESIZE'], ['3', 'index', 'ENOENT']])
})

t.test('the same artifact twice: the last record wins', async (t) => {
  const dest = t.testdir()
  const first = artifact(dest, '1', 'old')
  const second = artifact(dest, '1', 'new!')
  await idx(dest, [first, second])
  t.same(index(dest).entries.map((e: any) => e.sha256), [sha('new!')])
})

t.test('a rerun for some units keeps the others; --fresh starts over', async (t) => {
  const dest = t.testdir()
  t.equal((await idx(dest, [artifact(dest, '1', 'one'), artifact(dest, '2', 'two'), artifact(dest, '3', 'three'), artifact(dest, '4', 'four'), { ...zipError, unit: '5', item: '5' }])).code, 1)
  rmSync(path.join(dest, D, '4'), { recursive: true }) // gone from disk since
  const r = await idx(dest, [artifact(dest, '2', 'two, again'), { ...zipError, unit: '3', item: '3' }])
  t.equal(r.code, 1)
  t.match(r.records[0], { ok: 1, failed: 1, entries: 2, failures: 2, kept: 2 })
  t.same(index(dest).entries.map((e: any) => [e.unit, e.size_bytes]), [['1', 3], ['2', 10]], '3 failed this time, 4 is gone')
  t.same(failures(dest).failures.map((f: any) => f.unit), ['3', '5'])
  const f = await idx(dest, [artifact(dest, '2', 'two, again')], '--fresh')
  t.equal(f.code, 0)
  t.same(index(dest).entries.map((e: any) => e.unit), ['2'])
  t.same(failures(dest).failures, [])
})

t.test('a damaged existing index.json is fatal unless --fresh', async (t) => {
  const dest = t.testdir({ [D]: { 'index.json': '{"entries": 3}' } })
  const rec = artifact(dest, '1', 'one')
  const r = await idx(dest, [rec])
  t.equal(r.code, 3)
  t.match(r.stderr, /index\.json: not a version 1 document with "entries" \(rerun with --fresh/)
  t.equal((await idx(dest, [rec], '--fresh')).code, 0)
  t.equal(index(dest).entries.length, 1)
})

t.test('usage', async (t) => {
  const dest = t.testdir()
  const help = await runMain(main, { argv: ['--help'] })
  t.equal(help.code, 0)
  t.match(help.stdout, /^clara-index --dest RUNDIR --domain DOMAIN/)
  for (const argv of [['--dest', dest], ['--domain', D], ['--dest', dest, '--domain', '../x'], ['--dest', dest, '--domain', 'a/b'], ['--dest', dest, '--merge', '--domain', D], ['--dest', dest, '--domain', D, '--bogus']]) {
    const r = await runMain(main, { argv, input: ndjsonOf([]) })
    t.equal(r.code, 2, argv.join(' '))
    t.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr.trim()}`)
    t.equal(r.stdout, '')
  }
  t.same(readdirSync(dest), [], 'nothing written')
})

t.test('the README Usage block is the --help text', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const usage = /## Usage\n\n```\n([^]*?)```/.exec(readme)?.[1]
  t.equal(usage, (await runMain(main, { argv: ['--help'] })).stdout)
})

t.test('not_stored records (secret units left out) are listed in index.json; a rerun keeps those it does not mention', async (t) => {
  const dest = t.testdir()
  const left = { type: 'not_stored', domain: D, unit: 'key', reason: 'secret', restore_to: ['clara_app/key.txt'] }
  const r = await idx(dest, [artifact(dest, '1', 'one'), left])
  t.equal(r.code, 0, 'not a failure')
  t.same(index(dest).not_stored, [{ unit: 'key', reason: 'secret', restore_to: ['clara_app/key.txt'] }])
  t.same(failures(dest).failures, [])
  await idx(dest, [artifact(dest, '2', 'two')])
  t.same(index(dest).not_stored.map((n: any) => n.unit), ['key'], 'kept: this stream did not mention it')
  await idx(dest, [artifact(dest, 'key', 'now stored')])
  t.notOk('not_stored' in index(dest), 'stored now: no longer listed (and an index without any has no list)')
})
