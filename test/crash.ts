import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { plannedTrials, runSession } from '@clara/stress/session'
import { TARGET_NAMES } from '@clara/stress/targets'

// A handful of crash trials in CI: one per tool (clara-zip-unit, clara-shard, clara-pgdump,
// clara-backup, clara-restore), each SIGKILLed at a seeded point and then resumed or rerun.
// `make stress` runs 200 and more. CLARA_STRESS_SEED replays another session.
const SEED = Number(process.env.CLARA_STRESS_SEED ?? 20261127)

t.test(`crash trials (session seed ${SEED}): after every kill nothing partial, indexes true, latest verifies; the rerun equals an uninterrupted run`, async (t) => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'clara-crash-'))
  const planned = plannedTrials({ seed: SEED, trials: TARGET_NAMES.length, targets: TARGET_NAMES })
  const results = await runSession({
    work,
    seed: SEED,
    trials: planned.length,
    targets: TARGET_NAMES,
    // each trial one assertion when it held; each problem its own failure (what broke, and where)
    onResult: (r, line) => {
      if (!r.problems.length) t.pass(line)
      for (const p of r.problems) t.fail(`${r.target} seed=${r.seed}: ${p}`, { trial: line, kept: r.dir })
    },
  })
  t.equal(results.length, planned.length, 'every trial ran')
  t.same(results.map((r) => r.target).sort(), [...TARGET_NAMES].sort(), 'one trial per tool')
  if (results.every((r) => !r.problems.length)) rmSync(work, { recursive: true, force: true })
})
