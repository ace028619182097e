import t from 'tap'
import { checkCounts } from '../src/counts.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const scan = (domain: string, names: string[]): any => ({ domain, units: names.map((name) => ({ name, orphan: false, meta: { places: [{ kind: 'compiled_normal', exists: true }] } })) })
const rows = { ids: ['5', '12', '37'], count: 3, from: 'test' }

t.test('a full run must account for every project row', async (t) => {
  const out = checkCounts([scan('source_exports', ['5', '37']), scan('compiled_exports', ['5', '37'])], {}, rows)
  t.match(out[0].problems, [/project 12 has no source_exports unit/])
})

t.test('a listed failure accounts for a project', async (t) => {
  const out = checkCounts([scan('source_exports', ['5', '37'])], { source_exports: [{ unit: '12' }] }, rows)
  t.same(out[0].problems, [])
})

t.test('a selective run (--only/--skip) need not hold every project, but its units must be project rows', async (t) => {
  const out = checkCounts([scan('source_exports', ['37', '99']), scan('compiled_exports', ['37'])], {}, rows, true)
  t.same(out[0].problems, ['unit 99 is not a project row'])
  t.same(out[1].problems, [])
})
