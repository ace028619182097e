import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { binPath, childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { makeBackupRun } from '@clara/shared/testkit-runs'
import { main } from '../src/main.js'
import { table } from '../src/list.js'
import { DB_INFRA, makeHistory, NIGHTS, nightly, NOW, UNFINISHED } from './history.js'

type Rec = Record<string, any>
const root = t.testdir()
await makeHistory(root)
const runs = async (...argv: string[]) => {
  const r = await runMain(main, { argv: [...argv, '--now', NOW], cwd: root })
  return { ...r, records: r.records as Rec[] }
}

t.test('list: one run_info record per run, oldest first, from the manifests', async (t) => {
  const r = await runs('list', '--root', root)
  t.equal(r.code, 0, r.stderr)
  const recs = r.records.filter((x) => x.type === 'run_info')
  t.same(recs.map((x) => x.id), [...Array.from({ length: NIGHTS }, (_, n) => nightly(n)), DB_INFRA, UNFINISHED], 'every run, not notes.txt')
  const last = recs.find((x) => x.id === nightly(NIGHTS - 1))!
  const manifest = JSON.parse(readFileSync(path.join(root, nightly(NIGHTS - 1), 'manifest.json'), 'utf8'))
  t.same(last, {
    type: 'run_info', id: nightly(NIGHTS - 1), status: 'partial', selection: 'full',
    units: manifest.totals.units, bytes: manifest.totals.bytes, new_bytes: manifest.totals.new_bytes, failures: 1,
    started_at: '2026-12-20T02:30:00.000Z', age_seconds: 34 * 3600 - 30 * 60, age: '1d 9h', latest: true, pinned: false,
  })
  t.ok(last.new_bytes > 0 && last.new_bytes < last.bytes, 'new bytes: only what the run did not hard-link')
  t.match(recs.find((x) => x.id === nightly(0)), { status: 'complete', failures: 0, latest: false, new_bytes: recs[0].bytes })
  t.match(recs.find((x) => x.id === nightly(3)), { pinned: true })
  t.match(recs.find((x) => x.id === DB_INFRA), { status: 'complete', selection: '--domains db,infra', units: 2 })
  t.match(recs.find((x) => x.id === UNFINISHED), { status: 'unfinished', selection: 'unknown', units: null, bytes: null, age: '9h 30m' })
  t.same(r.records.at(-1), { type: 'end', count: recs.length })
})

t.test('list on a terminal: a table, newest last', async (t) => {
  const r = await runs('list', '--root', root)
  const text = table(r.records.filter((x) => x.type === 'run_info') as any)
  const lines = text.trimEnd().split('\n')
  t.match(lines[0], /^RUN +STATUS +SELECTION +UNITS +SIZE +NEW +FAILURES +AGE$/)
  t.equal(lines.length, NIGHTS + 3)
  t.match(lines.find((l) => l.startsWith(nightly(NIGHTS - 1))), /partial +full +\d+ +[\d.]+ KB +[\d.]+ (KB|B) +1 +1d 9h +latest$/)
  t.match(lines.find((l) => l.startsWith(DB_INFRA)), /complete +--domains db,infra/)
  t.match(lines.at(-1), new RegExp(`^${UNFINISHED} +unfinished +unknown +- +- +- +- +9h 30m$`))
})

t.test('list with stdout on a terminal (util-linux script gives it a pty): the table, not records', async (t) => {
  const cmd = `${binPath('clara-runs')} list --root '${root}' --now ${NOW}`
  const r = await spawnTool('script', ['-qec', cmd, '/dev/null'], { env: childEnv() })
  t.equal(r.code, 0, r.stderr)
  const lines = r.stdout.replace(/\r/g, '').trimEnd().split('\n')
  t.match(lines[0], /^RUN +STATUS +SELECTION +UNITS +SIZE +NEW +FAILURES +AGE$/)
  t.equal(lines.length, NIGHTS + 3, 'a header and one line per run')
  t.notMatch(r.stdout, /"type"/, 'no records')
})

t.test('diff: units added, removed, changed per domain; the database by its dump, whatever its name', async (t) => {
  const r = await runs('diff', nightly(9), nightly(NIGHTS - 1), '--root', root)
  t.equal(r.code, 0, r.stderr)
  const d = Object.fromEntries(r.records.filter((x) => x.type === 'domain_diff').map((x) => [x.domain, x]))
  t.match(d.source_exports, { added: 0, removed: 1, changed: 2, unchanged: 0 }, '37 removed; 5 and 12 changed')
  t.match(d.compiled_exports, { added: 0, removed: 0, changed: 0, unchanged: 1 })
  t.match(d.db, { changed: 1, added: 0, removed: 0 }, 'one database, changed')
  t.match(d.infra, { changed: 0, unchanged: 1 })
  const units = r.records.filter((x) => x.type === 'unit_diff')
  t.match(units.find((x) => x.unit === '37'), { domain: 'source_exports', change: 'removed', bytes_a: Number, bytes_b: null })
  t.match(units.find((x) => x.domain === 'source_exports' && x.unit === '5'), { change: 'changed' })
  t.ok(units.find((x) => x.unit === '5')!.bytes_b > units.find((x) => x.unit === '5')!.bytes_a, 'project 5 grew')
  t.same(r.records.filter((x) => x.type === 'row_diff'), [
    { type: 'row_diff', table: 'clara_app_claraproject', rows_a: 3, rows_b: 2, delta: -1, content_changed: false },
    { type: 'row_diff', table: 'django_session', rows_a: 9, rows_b: 19, delta: 10, content_changed: false },
  ], 'the project row of 37 gone, ten sessions added; auth_user unchanged')
  const none = await runs('diff', nightly(0), UNFINISHED, '--root', root)
  t.equal(none.code, 0, none.stderr)
  t.match(none.records.find((x) => x.type === 'warning'), { during: 'diff', message: `no readable database dump metadata in ${UNFINISHED} (no db domain, or encrypted): row counts not compared` }, 'said, not silent')
  const back = await runs('diff', path.join(root, nightly(NIGHTS - 1)), path.join(root, nightly(9)))
  t.match(back.records.find((x) => x.type === 'unit_diff' && x.unit === '37'), { change: 'added', bytes_a: null })
})

t.test('diff: row-count changes per table from the dumps\' metadata', async (t) => {
  const dir = t.testdir()
  const dump = (id: string, tables: Record<string, { rows: number; sha256: string }>) =>
    makeBackupRun(dir, id, { files: { 'db/clara_db_x.sqlite3': id, 'db/clara_db_x.db_metadata.json': JSON.stringify({ dump: 'clara_db_x.sqlite3', tables }) } })
  await dump('20261201T023000Z', { clara_app_claraproject: { rows: 12, sha256: 'a' }, auth_user: { rows: 3, sha256: 'b' }, django_session: { rows: 9, sha256: 'c' }, orm_audio_metadata: { rows: 40, sha256: 'd' } })
  await dump('20261202T023000Z', { clara_app_claraproject: { rows: 11, sha256: 'x' }, auth_user: { rows: 3, sha256: 'b' }, django_session: { rows: 9, sha256: 'z' }, orm_image_metadata: { rows: 2, sha256: 'e' } })
  const r = await runMain(main, { argv: ['diff', '20261201T023000Z', '20261202T023000Z', '--root', dir] })
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.filter((x: Rec) => x.type === 'row_diff'), [
    { type: 'row_diff', table: 'clara_app_claraproject', rows_a: 12, rows_b: 11, delta: -1, content_changed: false },
    { type: 'row_diff', table: 'django_session', rows_a: 9, rows_b: 9, delta: 0, content_changed: true },
    { type: 'row_diff', table: 'orm_audio_metadata', rows_a: 40, rows_b: null, delta: -40, content_changed: false },
    { type: 'row_diff', table: 'orm_image_metadata', rows_a: null, rows_b: 2, delta: 2, content_changed: false },
  ])
})

t.test('report: the page holds the newest run, sizes per domain, failures per run, each project\'s last good backup', async (t) => {
  const out = path.join(t.testdir(), 'r.html')
  const r = await runs('report', '--root', root, '--out', out)
  t.equal(r.code, 0, r.stderr)
  t.match(r.records[0], { type: 'summary', tool: 'clara-runs', path: out, runs: NIGHTS + 2, projects: 3 })
  const html = readFileSync(out, 'utf8')
  t.match(html, `<strong id="newest-run">${UNFINISHED}</strong>`)
  t.match(html, `latest → <strong>${nightly(NIGHTS - 1)}</strong>`)
  t.notMatch(html, /<script|src="http|href="http|url\(/i, 'no script, no external resource')
  t.match(html, /<polyline[^>]*><title>source_exports<\/title>/)
  const failuresPart = html.slice(html.indexOf('<section id="failures">'), html.indexOf('<section id="projects">'))
  const row = (id: string) => failuresPart.split('\n').find((l) => l.startsWith(`<tr><td>${id}</td>`)) ?? ''
  t.match(html, /<td>12<\/td><td>Ça va &lt;bien&gt; &amp; &quot;mal&quot;<\/td><td>20261217T023000Z \(4d 9h ago\)<\/td><td>source_exports<\/td><td>20261220T023000Z: compiled_exports: 1 unresolved reference\(s\)<\/td>/, 'project 12: last good on night 16, failing since')
  t.match(html, /<td>37<\/td><td>Peter Rabbit<\/td><td>20261211T023000Z \(10d 9h ago\)<\/td>/, 'project 37: its last backup before it was deleted')
  t.match(html, /<td>5<\/td><td>Mary had a little lamb<\/td><td>20261220T023000Z \(1d 9h ago\)<\/td><td>compiled_exports, source_exports<\/td><td><\/td>/, 'project 5: in the newest nightly run (the db,infra run does not hold it)')
  t.match(row(nightly(NIGHTS - 1)), /<td class="status partial">partial<\/td><td>full<\/td><td class="num">1<\/td>.*<li>compiled_exports\/12: 1 unresolved reference\(s\)<\/li>/)
  t.match(row(nightly(0)), /<td class="status complete">complete<\/td><td>full<\/td><td class="num">0<\/td>/)
  t.match(row(DB_INFRA), /<td>--domains db,infra<\/td>/)
  t.ok(html.includes('compiled_exports/12: 1 unresolved reference(s)'), 'the failures of a run are listed')
  const dflt = await runs('report', '--root', root)
  t.equal(dflt.code, 0)
  t.match(readFileSync(path.join(root, 'report.html'), 'utf8'), /id="newest-run"/, 'default: BACKUP_ROOT/report.html')
})

t.test('usage and fatal errors', async (t) => {
  t.equal((await runMain(main, { argv: [] })).code, 2, 'no command')
  t.equal((await runMain(main, { argv: ['list'] })).code, 2, 'no --root')
  t.equal((await runMain(main, { argv: ['frobnicate', '--root', root] })).code, 2)
  const missing = await runMain(main, { argv: ['list', '--root', path.join(root, 'nope')] })
  t.equal(missing.code, 3)
  t.match(missing.stderr, /no such directory/)
  const badRun = await runMain(main, { argv: ['diff', 'nope', nightly(0), '--root', root] })
  t.equal(badRun.code, 2)
  t.match(badRun.stderr, /nope: no such run/)
  t.notMatch(badRun.stderr, /\n\s+at /, 'no stack trace')
  t.equal((await runMain(main, { argv: ['list', '--root', root, '--now', 'soon'] })).code, 2)
})

t.test('the README shows the --help text verbatim', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const r = await runMain(main, { argv: ['--help'] })
  t.ok(readme.includes(r.stdout.replace(/\n$/, '')), 'README Usage block = --help')
})
