/**
 * --notify, --ping and the free-space warning, on real runs of the fixture: the ping target is an HTTP
 * server on 127.0.0.1 that this test starts, the notify command a shell line that appends its stdin to a file.
 */
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { acquireLock } from '@clara/shared/lock'
import { backup, latest, lockOf, makeFixture, readJson } from './helpers.js'

interface Hit {
  path: string
  method: string
  body: string
}

const hits: Hit[] = []
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => {
    hits.push({ path: req.url ?? '', method: req.method ?? '', body })
    res.end('OK')
  })
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
t.teardown(() => server.close())
const check = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/0b7d4c1e`

const f = await makeFixture('alerts')
t.teardown(f.cleanup)
const root = path.join(f.dir, 'backups')
const notes = path.join(f.dir, 'notes.ndjson')
// the notify command sees the summary on stdin and the status in its environment, not the database URL
const notify = `{ cat; echo "env $CLARA_RUN_EVENT $CLARA_RUN_STATUS \${DATABASE_URL:-no-url}"; } >> '${notes}'`
const alertArgs = ['--notify', notify, '--ping', check]

/** The notes written since the last call: each summary, and the line with the command's environment. */
let seen = 0
function newNotes(): { summaries: any[]; envs: string[] } {
  const lines = existsSync(notes) ? readFileSync(notes, 'utf8').split('\n').filter(Boolean) : []
  const fresh = lines.slice(seen)
  seen = lines.length
  return { summaries: fresh.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)), envs: fresh.filter((l) => l.startsWith('env ')) }
}
const takeHits = () => hits.splice(0, hits.length)

t.test('a partial run: URL/start, then URL with the summary; --notify gets the summary as JSON on stdin', async (t) => {
  const r = await backup(f, root, alertArgs)
  t.equal(r.code, 1, r.stderr)
  const h = takeHits()
  t.same(h.map((x) => `${x.method} ${x.path}`), ['POST /ping/0b7d4c1e/start', 'POST /ping/0b7d4c1e'], 'start, then success: the run completed')
  const body = JSON.parse(h[1].body)
  t.match(body, { event: 'run-end', status: 'partial', exit_code: 1, run_id: r.run.run_id, backup_root: root, totals: r.run.totals })
  t.ok(body.failures.length > 0 && body.failures.every((x: any) => x.domain && x.message), 'the failures are listed')
  const n = newNotes()
  t.same(n.summaries, [body], 'the same summary reaches --notify')
  t.same(n.envs, ['env run-end partial no-url'])
})

t.test('a locked run: URL/fail and a notification, exit 11 unchanged', async (t) => {
  const lock = await acquireLock(lockOf(root))
  const r = await backup(f, root, alertArgs)
  await lock.release()
  t.equal(r.code, 11, r.stderr)
  const h = takeHits()
  t.same(h.map((x) => x.path), ['/ping/0b7d4c1e/start', '/ping/0b7d4c1e/fail'])
  const body = JSON.parse(h[1].body)
  t.match(body, { status: 'locked', exit_code: 11, run_id: null, message: new RegExp(`held by pid ${process.pid}`) })
  t.same(newNotes().summaries, [body])
})

t.test('an incomplete run: URL/fail and a notification, exit 3; the password of the URL is in neither', async (t) => {
  const r = await backup({ ...f, db: 'postgres://clara:Pw-in-url-77@127.0.0.1:1/clara' }, root, [...alertArgs, '--domains', 'db'])
  t.equal(r.code, 3, r.stderr)
  const h = takeHits()
  t.same(h.map((x) => x.path), ['/ping/0b7d4c1e/start', '/ping/0b7d4c1e/fail'])
  t.match(JSON.parse(h[1].body), { status: 'incomplete', exit_code: 3, domains: { db: { incomplete: true } } })
  const n = newNotes()
  t.match(n.summaries, [{ status: 'incomplete', exit_code: 3 }])
  t.notMatch(h.map((x) => x.body).join('') + JSON.stringify(n), /Pw-in-url-77/)
})

t.test('a complete run pings success and notifies nobody', async (t) => {
  const r = await backup(f, root, [...alertArgs, '--domains', 'legacy'])
  t.equal(r.code, 0, r.stderr)
  t.same(takeHits().map((x) => x.path), ['/ping/0b7d4c1e/start', '/ping/0b7d4c1e'])
  t.same(newNotes().summaries, [])
})

t.test('less free space than the last run’s new bytes × 1.5: a warning at the start, and a notification', async (t) => {
  const last = latest(root)!
  const m = readJson(path.join(last, 'manifest.json'))
  // the last run wrote 1 EB new: no filesystem here has 1.5 EB free
  writeFileSync(path.join(last, 'manifest.json'), JSON.stringify({ ...m, totals: { ...m.totals, new_bytes: 1e18 } }))
  const r = await backup(f, root, alertArgs)
  t.equal(r.code, 1, r.stderr)
  t.match(r.stderr, new RegExp(`low space: ${root} has .* free, less than 1.5 × the .* the last run \\(${path.basename(last)}\\) wrote new`))
  t.ok(r.stderr.indexOf('low space') < r.stderr.indexOf('domain 1/'), 'warned before the first domain')
  const n = newNotes()
  t.match(n.summaries, [{ event: 'low-space', last_new_bytes: 1e18, needed_bytes: 1.5e18, last_run: path.basename(last) }, { event: 'run-end', status: 'partial' }])
  t.same(n.envs, ['env low-space low-space no-url', 'env run-end partial no-url'])
  takeHits()
  // the run just made wrote little new: the next one has room and says nothing of space
  const again = await backup(f, root, alertArgs)
  t.notMatch(again.stderr, /low space/)
  t.match(newNotes().summaries, [{ event: 'run-end' }])
  takeHits()
})

t.test('a failing --notify command or an unreachable --ping never changes the exit code', async (t) => {
  const r = await backup(f, root, ['--notify', 'echo broken >&2; exit 7', '--ping', 'http://127.0.0.1:1/x'])
  t.equal(r.code, 1)
  t.match(r.stderr, /--notify command failed \(exit 7: broken\)/)
  t.match(r.stderr, /--ping \/start to 127\.0\.0\.1:1 failed/)
  const bad = await backup(f, root, ['--ping', 'ftp://x'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /--ping: "ftp:\/\/x" is not an http\(s\) URL/)
})
