import t from 'tap'
import type { RunEntry, RunSet } from '@clara/shared/run-set'
import { parseRunId } from '@clara/shared/run-set'
import { planPrune, type Policy } from '../src/policy.js'

type Kind = 'clean' | 'partial' | 'failures' | 'unfinished'

function entry(id: string, kind: Kind = 'clean', pinned = false): RunEntry {
  const manifest = kind === 'unfinished' ? null : { status: kind === 'partial' ? 'partial' : 'complete', totals: { units: 1, bytes: 1, failures: kind === 'clean' ? 0 : 2 } }
  return { id, dir: `/b/${id}`, time: parseRunId(id)!, finished: kind !== 'unfinished', manifest, failed: kind === 'partial' || kind === 'failures', pinned }
}

function set(runs: RunEntry[], latest: string | null = runs.at(-1)?.id ?? null): RunSet {
  return { root: '/b', runs: [...runs].sort((a, b) => (a.id < b.id ? -1 : 1)), latest, leftovers: [] }
}

const policy = (p: Partial<Policy> = {}): Policy => ({ daily: 7, weekly: 4, now: new Date('2026-11-21T00:00:00Z'), unfinishedAfterMs: null, ...p })
const deleted = (s: RunSet, p = policy()) => planPrune(s, p).decisions.filter((d) => d.action === 'delete').map((d) => d.run).sort()
const day = (d: number, hh = '02') => `202611${String(d).padStart(2, '0')}T${hh}0000Z`

t.test('7 daily + 4 weekly over twenty days', async (t) => {
  const runs = Array.from({ length: 20 }, (_, i) => entry(day(i + 1)))
  runs.push(entry(day(20, '14')))
  const plan = planPrune(set(runs), policy())
  t.equal(plan.blocked, null)
  // daily: Nov 14..20 (20th: the 14:00 run); weekly: W47→20th, W46→15th, W45→8th, W44→1st
  t.same(deleted(set(runs)), [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13].map((d) => day(d)).concat(day(20)).sort())
  const reasons = Object.fromEntries(plan.decisions.map((d) => [d.run, d.reasons.join('; ')]))
  t.match(reasons[day(20, '14')], /newest run without failures.*latest points to it.*daily 2026-11-20.*weekly 2026-W47/)
  t.match(reasons[day(8)], /^weekly 2026-W45$/)
  t.match(reasons[day(3)], /not among the newest 7 daily \/ 4 weekly runs/)
})

t.test('within a day, a clean run wins over a newer partial one', async (t) => {
  const runs = [entry(day(10, '02')), entry(day(10, '12'), 'partial'), entry(day(11))]
  const d = deleted(set(runs), policy({ daily: 2, weekly: 0 }))
  t.same(d, [day(10, '12')], 'the partial run of the 10th goes, the clean one stays')
})

t.test('a newest run that failed, or is unfinished, blocks every deletion', async (t) => {
  for (const kind of ['partial', 'failures', 'unfinished'] as Kind[]) {
    const runs = [entry(day(1)), entry(day(2)), entry(day(3)), entry(day(4), kind)]
    const plan = planPrune(set(runs, day(3)), policy({ daily: 1, weekly: 0 }))
    t.match(plan.blocked, kind === 'unfinished' ? /unfinished/ : /failed/, kind)
    t.same(deleted(set(runs, day(3)), policy({ daily: 1, weekly: 0 })), [], `${kind}: nothing deleted`)
    t.ok(plan.decisions.every((d) => d.reasons[0].startsWith('nothing is deleted')), `${kind}: every run says why`)
  }
  const unreadable: RunEntry = { ...entry(day(5)), manifest: null, manifestError: 'manifest.json: Unexpected end of JSON input', failed: true }
  t.match(planPrune(set([entry(day(1)), unreadable]), policy()).blocked, /unreadable manifest/)
})

t.test('never deletes: pinned, latest, the newest clean run, unfinished runs', async (t) => {
  const runs = [entry(day(1), 'clean', true), entry(day(2)), entry(day(3)), entry(day(4), 'unfinished'), entry(day(5), 'partial'), entry(day(6))]
  const plan = planPrune(set(runs, day(2)), policy({ daily: 0, weekly: 0 }))
  const by = Object.fromEntries(plan.decisions.map((d) => [d.run, d]))
  t.same(deleted(set(runs, day(2)), policy({ daily: 0, weekly: 0 })), [day(3), day(5)])
  t.same(by[day(1)].reasons, ['pinned by a keep file'])
  t.same(by[day(2)].reasons, ['latest points to it'])
  t.same(by[day(4)].reasons, ['unfinished (may be in progress or resumable)'])
  t.same(by[day(6)].reasons, ['newest run without failures'])
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
  t.same(deleted(set([entry(day(1))]), policy({ daily: 0, weekly: 0 })), [], 'the only run is the newest clean one')
})
