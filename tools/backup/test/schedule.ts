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

/**
 * Work whose items each wait at a gate the test opens: start and end events are recorded as they
 * happen, so what runs at once is observed, not inferred from how long anything took.
 */
function gated<T>() {
  const events: string[] = []
  const gates = new Map<T, () => void>()
  let running = 0
  let most = 0
  const work = async (x: T): Promise<void> => {
    running++
    most = Math.max(most, running)
    events.push(`start ${x}`)
    await new Promise<void>((r) => gates.set(x, r))
    running--
    events.push(`end ${x}`)
  }
  /** Open x's gate and let everything that follows from it happen (promise jobs only: no clock). */
  const open = async (x: T): Promise<void> => {
    const g = gates.get(x)
    if (!g) throw new Error(`${x} is not waiting at its gate`)
    g()
    await settled()
  }
  return { events, work, open, most: () => most, running: () => running }
}
const settled = () => new Promise((r) => setImmediate(r))

t.test('pool: at most `jobs` at once, in the given order, a freed lane starts the next item; every item once', async (t) => {
  const g = gated<string>()
  const done = pool(['a', 'b', 'c', 'd', 'e'], 2, g.work, () => false)
  await settled()
  t.same(g.events, ['start a', 'start b'], 'two jobs: the first two start, and no third while both run')
  await g.open('b')
  t.same(g.events.slice(2), ['end b', 'start c'], 'b ends: its lane starts c')
  await g.open('a')
  t.same(g.events.slice(4), ['end a', 'start d'], 'a ends: d starts')
  await g.open('c')
  t.same(g.events.slice(6), ['end c', 'start e'], 'c ends: e, the last, starts')
  await g.open('e')
  t.same(g.events.slice(8), ['end e'], 'nothing left to start')
  await g.open('d')
  await done
  t.equal(g.most(), 2, 'never more than two at once')
  t.equal(g.running(), 0)
  t.same(g.events.filter((e) => e.startsWith('start')), ['start a', 'start b', 'start c', 'start d', 'start e'], 'each item started once, in order')
})

t.test('pool: one job runs strictly one after the other, in order', async (t) => {
  const g = gated<number>()
  const done = pool([3, 1, 2], 1, g.work, () => false)
  await settled()
  t.same(g.events, ['start 3'], 'only the first started')
  await g.open(3)
  t.same(g.events, ['start 3', 'end 3', 'start 1'], 'the next starts only once it ended')
  await g.open(1)
  await g.open(2)
  await done
  t.same(g.events, ['start 3', 'end 3', 'start 1', 'end 1', 'start 2', 'end 2'])
  t.equal(g.most(), 1)
})

t.test('pool: nothing new started after stop()', async (t) => {
  const started: number[] = []
  let stop = false
  await pool([1, 2, 3, 4], 2, async (n) => {
    started.push(n)
    if (n === 2) stop = true
  }, () => stop)
  t.same(started, [1, 2], 'once stop() is true no new item starts')
  const g = gated<string>()
  let halt = false
  const done = pool(['a', 'b', 'c', 'd'], 2, g.work, () => halt)
  await settled()
  halt = true
  await g.open('a')
  await g.open('b')
  await done
  t.same(g.events, ['start a', 'start b', 'end a', 'end b'], 'stopped while two run: both finish, neither lane starts another')
})
