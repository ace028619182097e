import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'

const fdoc = (domain: string, failures: object[]) => JSON.stringify({ version: 1, domain, generated_at: '2025-01-01T00:00:00Z', failures })
const merge = (dest: string) => runMain(main, { argv: ['--dest', dest, '--merge'], input: 'not read at all' })

t.test('--merge: every domain failures.json into the run failures.json', async (t) => {
  const dest = t.testdir({
    source_exports: { 'failures.json': fdoc('source_exports', [{ unit: '3', step: 'zip', message: 'a' }, { unit: '9', step: 'zip', message: 'b', code: 'ENOENT' }]), 'index.json': '{}' },
    compiled_exports: { 'failures.json': fdoc('compiled_exports', []) },
    legacy_zips: { 'index.json': '{}' },
    'manifest.json': '{}',
    db: { 'failures.json': fdoc('db', [{ unit: 'clara_db', step: 'pg_dump', message: 'exit 1' }]) },
  })
  const r = await merge(dest)
  t.equal(r.code, 1, 'failures recorded')
  t.match(r.records, [{ type: 'summary', tool: 'clara-index', ok: 3, failed: 3, merged: { compiled_exports: 0, db: 1, source_exports: 2 } }, { type: 'end', count: 1 }])
  const doc = JSON.parse(readFileSync(path.join(dest, 'failures.json'), 'utf8'))
  t.same(Object.keys(doc), ['version', 'generated_at', 'domains', 'failures'])
  t.same(doc.domains, { compiled_exports: 0, db: 1, source_exports: 2 })
  t.same(doc.failures, [
    { domain: 'db', unit: 'clara_db', step: 'pg_dump', message: 'exit 1' },
    { domain: 'source_exports', unit: '3', step: 'zip', message: 'a' },
    { domain: 'source_exports', unit: '9', step: 'zip', message: 'b', code: 'ENOENT' },
  ])
})

t.test('--merge with no failures: exit 0, an empty list', async (t) => {
  const dest = t.testdir({ source_exports: { 'failures.json': fdoc('source_exports', []) } })
  t.equal((await merge(dest)).code, 0)
  t.same(JSON.parse(readFileSync(path.join(dest, 'failures.json'), 'utf8')).failures, [])
  const bare = t.testdir({})
  t.equal((await merge(bare)).code, 0)
})

t.test('--merge: a damaged domain file or a missing run directory is fatal', async (t) => {
  const dest = t.testdir({ infra: { 'failures.json': '[1,2' } })
  let r = await merge(dest)
  t.equal(r.code, 3)
  t.match(r.stderr, /infra\/failures\.json: not a version 1 document/)
  r = await merge(path.join(dest, 'nope'))
  t.equal(r.code, 3)
  t.match(r.stderr, /^test: .*nope: cannot read the run directory: ENOENT\n$/)
})
