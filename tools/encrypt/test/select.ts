import t from 'tap'
import { isDocName, isPayload, secretUnits, selectTargets } from '../src/select.js'

t.test('documents stay readable, data gets encrypted', async (t) => {
  for (const n of ['index.json', 'failures.json', 'metadata.json', 'db_metadata.json', 'clara_db_20261127_211500.metadata.json']) t.ok(isDocName(n), n)
  for (const n of ['clara_db_20261127_211500.dump', 'settings_snapshot.txt', 'nometadata.json.bak', 'source.zip']) t.notOk(isDocName(n), n)
  t.notOk(isPayload('x.dump.age'), 'already encrypted')
  t.notOk(isPayload('.x.dump.123.abcd.tmp'), 'a temp file')
  t.ok(isPayload('git_info.txt'))
})

t.test('selects whole domains and secret units only', async (t) => {
  const run = t.testdir({
    db: { 'clara_db_1.dump': 'd', 'db_metadata.json': '{}', 'index.json': '{}', 'old.dump.age': 'x' },
    infra: { 'nginx_site.conf': 'n', systemd_units: { 'clara.service': 's' }, 'index.json': '{}' },
    source_exports: {
      '1': { 'source.zip': 'a', 'metadata.json': '{"secret": false}' },
      '2': { 'source.zip': 'b', 'metadata.json': '{"secret": true}', extra: { 'notes.txt': 'n' } },
      '3': { 'source.zip': 'c', 'metadata.json': 'not json' },
      'index.json': '{}',
    },
    legacy_zips: { secretary: { 'legacy.zip': 'l', 'metadata.json': '{"name": "secret"}' } },
  })
  t.same(await secretUnits(run, ['db', 'infra']), ['source_exports/2'])
  const all = await selectTargets(run, ['db', 'infra'], true)
  t.same(all.map((x) => `${x.rel} ${x.why}`), [
    'db/clara_db_1.dump domain',
    'infra/nginx_site.conf domain',
    'infra/systemd_units/clara.service domain',
    'source_exports/2/extra/notes.txt secret unit',
    'source_exports/2/source.zip secret unit',
  ])
  t.same((await selectTargets(run, ['infra'], false)).map((x) => x.rel), ['infra/nginx_site.conf', 'infra/systemd_units/clara.service'])
  t.same(await selectTargets(run, ['snapshots'], false), [], 'a missing domain is nothing to do')
})
