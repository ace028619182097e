/** The start order of the domains with --jobs, and the pool that runs them. */
import t from 'tap'
import { DOMAINS } from '../src/domains.js'
import { pool, startOrder } from '../src/schedule.js'

const names = (ds: { name: string }[]) => ds.map((d) => d.name)

t.test('startOrder: --jobs 1 keeps the design order; more jobs start the longest domains first', async (t) => {
  const prev = { audio_cache: 2.9, source_exports: 2.1, compiled_exports: 1.7, db: 0.3 }
  t.same(names(startOrder(DOMAINS, 1, prev)), names(DOMAINS), 'one job: exactly the design order')
  t.same(names(startOrder(DOMAINS, 2, prev)), ['audio', 'source', 'compiled', 'db', 'legacy', 'media', 'infra', 'snapshots'],
    'two jobs: by the previous run’s seconds; domains without a time keep their design order after them')
  t.same(names(startOrder(DOMAINS, 2, {})), names(DOMAINS), 'no previous run: the design order')
})

t.test('pool: at most `jobs` at once, every item once, nothing new started after stop()', async (t) => {
  const items = [40, 10, 30, 20, 5, 15]
  let running = 0
  let most = 0
  const done: number[] = []
  await pool(items, 2, async (ms) => {
    running++
    most = Math.max(most, running)
    await new Promise((r) => setTimeout(r, ms))
    running--
    done.push(ms)
  }, () => false)
  t.equal(most, 2)
  t.same([...done].sort((a, b) => a - b), [...items].sort((a, b) => a - b))
  const started: number[] = []
  let stop = false
  await pool([1, 2, 3, 4], 2, async (n) => {
    started.push(n)
    if (n === 2) stop = true
  }, () => stop)
  t.same(started, [1, 2], 'once stop() is true no new item starts')
  const one: number[] = []
  await pool([3, 1, 2], 1, async (n) => {
    await new Promise((r) => setTimeout(r, n * 5))
    one.push(n)
  }, () => false)
  t.same(one, [3, 1, 2], 'one job: strictly in order')
})
