/** A full run of the fixture on PostgreSQL (a throwaway database on the loopback server), with the real bins. */
import t from 'tap'
import path from 'node:path'
import { createPgDb, type ScratchDb } from '@clara/shared/testkit'
import { backup, entries, indexSums, latest, makeFixture, readJson, type Fixture } from './helpers.js'

let pg: ScratchDb
let f: Fixture
t.before(async () => {
  pg = await createPgDb('clara_backup')
  f = await makeFixture('pg', pg.url)
})
t.teardown(async () => {
  await f?.cleanup()
  await pg?.drop()
})

t.test('a full run on PostgreSQL: every domain, a pg_dump -Fc dump, manifest totals = the index sums', async (t) => {
  const root = path.join(f.dir, 'backups')
  const r = await backup(f, root)
  t.equal(r.code, 1, 'exit 1: project 12 has an unresolved reference', { stderr: r.stderr })
  const run = latest(root)!
  const m = readJson(path.join(run, 'manifest.json'))
  t.match(m, { status: 'partial', totals: { failures: 1 } })
  t.same(Object.keys(m.domains), ['source_exports', 'compiled_exports', 'legacy_zips', 'db', 'audio_cache', 'media', 'infra'])
  const sums = indexSums(run)
  for (const [d, s] of Object.entries(sums)) t.match(m.domains[d], s, `${d}: manifest = index sums`)
  const tot = Object.values(sums).reduce((a, s) => ({ units: a.units + s.units, bytes: a.bytes + s.bytes, failures: a.failures + s.failures }), { units: 0, bytes: 0, failures: 0 })
  t.match(m.totals, tot)
  const dump = entries(run).filter((e) => e.domain === 'db')
  t.equal(dump.length, 1)
  t.match(path.basename(dump[0].path), /^clara_db_\d{8}_\d{6}\.dump$/, 'a PostgreSQL custom-format dump')
  t.equal(m.domains.source_exports.units, 7, 'the same projects as on SQLite')
})
