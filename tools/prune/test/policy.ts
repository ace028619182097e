import t from 'tap'
import type { RunEntry, RunManifest, RunSet } from '@clara/shared/run-set'
import { completedStatus, manifestProblem, parseRunId, selectionLimit } from '@clara/shared/run-set'
import { planPrune, type Policy } from '../src/policy.js'

type Kind = 'clean' | 'partial' | 'incomplete' | 'unfinished' | 'domains' | 'only' | 'skip'

const FULL = { only: [], skip: [], text_types: null, domains: ['source', 'compiled', 'legacy', 'db', 'audio', 'media', 'infra'], full: true }

/** A run entry as shared/run-set's readRun makes it from such a manifest. */
function entry(id: string, kind: Kind = 'clean', pinned = false): RunEntry {
  if (kind === 'unfinished') return { id, dir: `/b/${id}`, time: parseRunId(id)!, finished: false, manifest: null, failed: false, completed: false, fullSelection: false, pinned }
  const selection =
    kind === 'domains' ? { ...FULL, domains: ['db', 'infra'], full: false }
    : kind === 'only' ? { ...FULL, only: ['37'], full: false }
    : kind === 'skip' ? { ...FULL, skip: ['12'], full: false }
    : FULL
  const status = kind === 'partial' ? 'partial' : kind === 'incomplete' ? 'incomplete' : 'complete'
  const manifest: RunManifest = { status, selection, totals: { units: 1, bytes: 1, failures: kind === 'partial' || kind === 'incomplete' ? 2 : 0 } }
  return { id, dir: `/b/${id}`, time: parseRunId(id)!, finished: true, manifest, failed: manifestProblem(manifest) !== null, completed: completedStatus(manifest), fullSelection: selectionLimit(manifest) === null, pinned }
}

function set(runs: RunEntry[], latest: string | null = runs.at(-1)?.id ?? null): RunSet {
  return { root: '/b', runs: [...runs].sort((a, b) => (a.id < b.id ? -1 : 1)), latest, leftovers: [] }
}

const policy = (p: Partial<Policy> = {}): Policy => ({ daily: 7, weekly: 4, now: new Date('2026-11-21T00:00:00Z'), unfinishedAfterMs: null, ...p })
const deleted = (s: RunSet, p = policy()) => planPrune(s, p).decisions.filter((d) => d.action === 'delete').map((d) => d.run).sort()
const reasonsOf = (s: RunSet, p = policy()) => Object.fromEntries(planPrune(s, p).decisions.map((d) => [d.run, d.reasons.join('; ')]))
const day = (d: number, hh = '02') => `202611${String(d).padStart(2, '0')}T${hh}0000Z`

t.test('7 daily + 4 weekly over twenty days', async (t) => {
  const runs = Array.from({ length: 20 }, (_, i) => entry(day(i + 1)))
  runs.push(entry(day(20, '14')))
  const plan = planPrune(set(runs), policy())
  t.equal(plan.blocked, null)
  // daily: Nov 14..20 (20th: the 14:00 run); weekly: W47→20th, W46→15th, W45→8th, W44→1st
  t.same(deleted(set(runs)), [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13].map((d) => day(d)).concat(day(20)).sort())
  const reasons = reasonsOf(set(runs))
  t.match(reasons[day(20, '14')], /newest complete full-selection run.*latest points to it.*daily 2026-11-20.*weekly 2026-W47/)
  t.match(reasons[day(8)], /^weekly 2026-W45$/)
  t.match(reasons[day(3)], /not among the newest 7 daily \/ 4 weekly complete full-selection runs/)
})

t.test('every run partial (a real install always has a missing file): retention still works', async (t) => {
  const runs = Array.from({ length: 20 }, (_, i) => entry(day(i + 1), 'partial'))
  const plan = planPrune(set(runs), policy())
  t.equal(plan.blocked, null, 'a partial newest run blocks nothing')
  t.same(deleted(set(runs)), [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13].map((d) => day(d)).sort())
  t.match(reasonsOf(set(runs))[day(20)], /^newest complete full-selection run; latest points to it; daily/)
})

t.test('within a day, a clean run wins over a newer partial one', async (t) => {
  const runs = [entry(day(10, '02')), entry(day(10, '12'), 'partial'), entry(day(11))]
  const d = deleted(set(runs), policy({ daily: 2, weekly: 0 }))
  t.same(d, [day(10, '12')], 'the partial run of the 10th goes, the clean one stays')
})

t.test('--domains, --only and --skip runs never count as the newest, nor fill a daily or weekly slot', async (t) => {
  for (const kind of ['domains', 'only', 'skip'] as Kind[]) {
    // the newest run is clean but covers part of the install; every full run is partial
    const runs = [...[1, 2, 3, 4, 5].map((d) => entry(day(d), 'partial')), entry(day(6), kind), entry(day(4, '20'), kind)]
    const s = set(runs, day(5))
    const reasons = reasonsOf(s, policy({ daily: 1, weekly: 0 }))
    t.match(reasons[day(5)], /^newest complete full-selection run; latest points to it; daily 2026-11-05$/, `${kind}: the newest full run is the one kept`)
    t.match(reasons[day(6)], new RegExp(`covers part of the install \\(--${kind === 'domains' ? 'domains db,infra' : kind === 'only' ? 'only 37' : 'skip 12'}\\); within the daily window`))
    t.same(deleted(s, policy({ daily: 1, weekly: 0 })), [1, 2, 3, 4].map((d) => day(d)).concat(day(4, '20')).sort(), `${kind}: the older selective run goes too`)
    t.notMatch(reasons[day(6)], /newest|daily 2026/)
  }
})

t.test('incomplete runs do not count; they stay while within the daily window', async (t) => {
  const runs = [entry(day(1)), entry(day(2), 'incomplete'), entry(day(3), 'partial'), entry(day(4), 'incomplete')]
  const reasons = reasonsOf(set(runs, day(3)), policy({ daily: 1, weekly: 0 }))
  t.match(reasons[day(4)], /status incomplete: a domain did not complete; within the daily window/)
  t.match(reasons[day(2)], /status incomplete.*older than the daily window/)
  t.same(deleted(set(runs, day(3)), policy({ daily: 1, weekly: 0 })), [day(1), day(2)])
})

t.test('no complete full-selection run at all: nothing is deleted, and it says why', async (t) => {
  const runs = [entry(day(1), 'incomplete'), entry(day(2), 'domains'), entry(day(3), 'unfinished')]
  const plan = planPrune(set(runs, null), policy({ daily: 0, weekly: 0 }))
  t.match(plan.blocked, /no complete full-selection run yet/)
  t.same(deleted(set(runs, null), policy({ daily: 0, weekly: 0 })), [])
})

t.test('never deletes: pinned, latest, the newest complete full-selection run, unfinished runs, unreadable manifests', async (t) => {
  const unreadable: RunEntry = { ...entry(day(7)), manifest: null, manifestError: 'manifest.json: Unexpected end of JSON input', failed: true, completed: false, fullSelection: false }
  const runs = [entry(day(1), 'clean', true), entry(day(2)), entry(day(3)), entry(day(4), 'unfinished'), entry(day(5), 'partial'), entry(day(6), 'partial'), unreadable]
  const p = policy({ daily: 0, weekly: 0 })
  const reasons = reasonsOf(set(runs, day(2)), p)
  t.same(deleted(set(runs, day(2)), p), [day(3), day(5)])
  t.equal(reasons[day(1)], 'pinned by a keep file')
  t.equal(reasons[day(2)], 'latest points to it')
  t.equal(reasons[day(4)], 'unfinished (may be in progress or resumable)')
  t.equal(reasons[day(6)], 'newest complete full-selection run', 'partial, yet the newest complete one')
  t.match(reasons[day(7)], /^unreadable manifest .*left for a person to look at$/)
})

t.test('--delete-unfinished AGE removes only old unfinished runs', async (t) => {
  const runs = [entry(day(1), 'unfinished'), entry(day(19), 'unfinished'), entry(day(20))]
  const p = policy({ daily: 7, weekly: 4, unfinishedAfterMs: 48 * 3600_000, now: new Date('2026-11-20T12:00:00Z') })
  const plan = planPrune(set(runs), p)
  t.same(deleted(set(runs), p), [day(1)])
  t.match(plan.decisions.find((d) => d.run === day(1))!.reasons[0], /unfinished and older/)
})

t.test('zero runs, one run', async (t) => {
  t.same(planPrune(set([]), policy()), { blocked: null, decisions: [] })
  t.same(deleted(set([entry(day(1), 'partial')]), policy({ daily: 0, weekly: 0 })), [], 'the only run is the newest complete one')
})
