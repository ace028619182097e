/** A rerun's selection merged with its run's earlier one (manifest.ts mergeSelection). */
import t from 'tap'
import { mergeSelection, type Selection } from '../src/manifest.js'

const ALL = ['source', 'compiled', 'legacy', 'db', 'audio', 'media', 'infra']
const full = (domains: string[]) => ALL.every((d) => domains.includes(d))
const sel = (s: Partial<Selection>): Selection => ({ only: [], skip: [], text_types: null, domains: ALL, full: true, ...s })

t.test('a rerun of one domain into a full run leaves it full', async (t) => {
  t.same(mergeSelection(sel({}), sel({ domains: ['db'], full: false }), full), sel({}))
  t.same(mergeSelection(sel({}), sel({ domains: ['source'], only: ['37'], full: false }), full), sel({}), '--only 37 of one domain: the other units stay')
})

t.test('a --domains db,infra run completed with the other domains becomes full', async (t) => {
  const earlier = sel({ domains: ['db', 'infra'], full: false })
  const rest = sel({ domains: ['source', 'compiled', 'legacy', 'audio', 'media'], full: false })
  t.same(mergeSelection(earlier, rest, full), sel({ domains: ['db', 'infra', 'source', 'compiled', 'legacy', 'audio', 'media'] }))
  t.match(mergeSelection(earlier, sel({ domains: ['source'], full: false }), full), { full: false, domains: ['db', 'infra', 'source'] })
})

t.test('--only and --skip of either side are kept: such a run stays partial', async (t) => {
  t.match(mergeSelection(sel({ only: ['37'], full: false }), sel({ only: ['12'], full: false }), full), { only: ['37', '12'], full: false })
  t.match(mergeSelection(sel({ skip: ['5'], full: false }), sel({}), full), { skip: ['5'], full: false })
})

t.test('no earlier manifest (an interrupted run), or one from before `selection`: this invocation\'s', async (t) => {
  const now = sel({ domains: ['db'], full: false })
  t.same(mergeSelection(undefined, now, full), now)
  t.same(mergeSelection({ only: [] } as Partial<Selection>, now, full), now)
  t.match(mergeSelection({ only: [], skip: [], domains: ALL }, now, full), { full: true }, 'an older manifest without `full`: full by its lists')
})
