/**
 * clara-runs on real runs (clara-backup of the SQLite fixture): after one project's text is edited
 * and a row is added to the database, `clara-runs diff` names that project's source unit as changed,
 * the database as changed, and the table's row count; `list` shows both runs; the report names
 * every project of the fixture.
 */
import t from 'tap'
import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { realFixture } from '@clara/list-projects/test/real-fixture'
import { sh, q } from './e2e-kit.js'

type Rec = Record<string, any>
const dir = t.testdir()
const fx = await realFixture(dir)
const root = path.join(dir, 'backups')
const env = { CLARA: fx.clara, DATABASE_URL: fx.url, CLARA_CRONTAB: 'none' }
const backup = () => sh(`clara-backup --dest ${q(root)} --lock-file ${q(root + '.lock')} --quiet`, env)
const records = (out: string) => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec)

t.test('diff of two real runs: the edited project, the database, the table that gained a row', async (t) => {
  t.ok([0, 1].includes((await backup()).code ?? -1), 'first run')
  const project = readdirSync(path.join(fx.clara, 'clara_content')).find((d) => d.endsWith('_37'))!
  appendFileSync(path.join(fx.clara, 'clara_content', project, 'metadata.json'), '\n')
  const insert = await sh(`sqlite3 ${q(path.join(fx.clara, 'db.sqlite3'))} "INSERT INTO auth_group(name) VALUES ('reviewers')"`)
  t.equal(insert.code, 0, insert.stderr)
  t.ok([0, 1].includes((await backup()).code ?? -1), 'second run')
  const [a, b] = readdirSync(root).filter((n) => /^\d{8}T\d{6}Z$/.test(n)).sort()

  const d = await sh(`clara-runs diff ${q(a)} ${q(b)} --root ${q(root)}`)
  t.equal(d.code, 0, d.stderr)
  const recs = records(d.stdout)
  const units = recs.filter((x) => x.type === 'unit_diff')
  t.same(units.filter((x) => x.domain === 'source_exports').map((x) => [x.unit, x.change]), [['37', 'changed']], 'only project 37\'s source unit changed')
  t.match(units.find((x) => x.domain === 'db'), { unit: 'database', change: 'changed' })
  t.match(recs.find((x) => x.type === 'domain_diff' && x.domain === 'source_exports'), { added: 0, removed: 0, changed: 1 })
  t.same(recs.filter((x) => x.type === 'row_diff'), [{ type: 'row_diff', table: 'auth_group', rows_a: 0, rows_b: 1, delta: 1, content_changed: false }])

  const l = await sh(`clara-runs list --root ${q(root)}`)
  t.equal(l.code, 0, l.stderr)
  t.match(records(l.stdout).filter((x) => x.type === 'run_info'), [{ id: a, selection: 'full', latest: false }, { id: b, selection: 'full', latest: true }])

  const rep = await sh(`clara-runs report --root ${q(root)} --quiet`)
  t.equal(rep.code, 0, rep.stderr)
  const html = readFileSync(path.join(root, 'report.html'), 'utf8')
  t.match(html, `<strong id="newest-run">${b}</strong>`)
  const manifest = JSON.parse(readFileSync(path.join(root, b, 'manifest.json'), 'utf8'))
  const ids = JSON.parse(readFileSync(path.join(root, b, 'source_exports/index.json'), 'utf8')).entries.filter((e: Rec) => e.project_id !== undefined).map((e: Rec) => String(e.project_id))
  t.ok(ids.length >= 5 && manifest.totals.units > 0)
  for (const id of ids) t.match(html, new RegExp(`<tr><td>${id}</td>`), `project ${id} has a row`)
})
