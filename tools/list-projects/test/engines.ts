import t from 'tap'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { realFixture } from './real-fixture.js'
import { miniClara } from './mini-clara.js'

const dir = t.testdir({ sq: {}, msq: {}, mpg: {} })

t.test('the real fixture: SQLite and PostgreSQL give the same records, byte for byte', async (t) => {
  // one tree, two databases holding the same rows (the fixture writes the install's path into rows)
  const pg = await realFixture(path.join(dir, 'sq'), 'postgres')
  t.teardown(() => pg.drop())
  const sq = await realFixture(path.join(dir, 'sq'), 'sqlite', ['--force'])
  for (const argv of [[], ['--units', 'source'], ['--units', 'compiled']]) {
    const a = await runMain(main, { argv: ['--clara', sq.clara, '--db', sq.url, ...argv] })
    const b = await runMain(main, { argv: ['--clara', sq.clara, '--db', pg.url, ...argv] })
    t.equal(a.code, 0, a.stderr)
    t.equal(b.code, 0, b.stderr)
    t.ok(a.records.length > 3)
    t.equal(b.stdout, a.stdout, `equal output: ${argv.join(' ') || 'project records'}`)
  }
})

t.test('the edge-case install: timestamps with microseconds, JSON columns, non-ASCII', async (t) => {
  const a = await miniClara(path.join(dir, 'msq'), 'sqlite')
  const b = await miniClara(path.join(dir, 'mpg'), 'postgres')
  t.teardown(() => b.drop())
  const ra = await runMain(main, { argv: ['--clara', a.clara, '--db', a.url] })
  const rb = await runMain(main, { argv: ['--clara', a.clara, '--db', b.url] })
  t.equal(rb.stdout, ra.stdout)
  const mary = ra.records.find((r) => r.type === 'project' && r.id === 37) as Record<string, any>
  t.equal(mary.content[0].updated_at, '2024-01-06T11:00:00.123456Z')
  t.equal(mary.content[0].has_password, true, 'the content password hash is not listed, only that it exists')
  t.notOk('password_hash' in mary.content[0])
  t.same(mary.images[0].description_variables, { a: [2], b: 1 }, 'JSON parsed, keys sorted')
})
