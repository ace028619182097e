import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { Logger } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { checkUnitsData } from './data.js'
import { checkContent } from './content.js'
import { parseOptions } from './options.js'
import { openRun } from './run-dir.js'
import { scanRun } from './scan-run.js'
import { loadState, saveState } from './state.js'
import { checkStructure, unitVerdicts } from './structure.js'
import { humanSummary } from './summary.js'
import { Verdicts } from './verdicts.js'

/** clara-verify: prove a backup run is whole, consistent and restorable (the design's §8 checklist). */
export async function main(io: Io): Promise<number> {
  const o = await parseOptions(io)
  if (!o) return EXIT.OK
  const log = new Logger(io, 'clara-verify', o)
  const run = await openRun(o.run, io.cwd)
  const started = Date.now()
  const out = new RecordWriter(io.stdout)
  const v = new Verdicts(out, log)
  const scans = await scanRun(run.dir)
  await checkStructure(run, scans, v)
  const state = await loadState(run.dir)
  const units = scans.flatMap((s) => s.units)
  const data = await checkUnitsData(units, o.data, state, { run: run.dir, seed: o.seed, jobs: o.jobs, log, signal: io.signal })
  await unitVerdicts(scans, v, data.verified)
  await checkContent({ run, scans, v, log, opts: o, env: io.env, cwd: io.cwd })
  if (o.state && data.verified.size) {
    const now = new Date()
    for (const a of units.flatMap((u) => u.artifacts)) {
      const ok = data.verified.get(a.rel)
      if (ok !== undefined) state.artifacts[a.rel] = { sha256: a.sha256, verified_at: now.toISOString(), ok, level: o.data.level }
    }
    await saveState(run.dir, state, now).catch((err: Error) => v.add('state', 'verify_state.json', true, `not written: ${err.message}`, { warning: true }))
  }
  const summary = {
    type: 'summary', tool: 'clara-verify', ok: v.ok, failed: v.failed, warnings: v.warnings, bytes: data.bytes,
    run: run.dir, data: o.data, seed: o.seed, artifacts: units.reduce((n, u) => n + u.artifacts.length, 0),
    rehashed: data.checked, members: data.members, seconds: (Date.now() - started) / 1000, checks: v.counts(),
  }
  await out.write(summary)
  await out.end()
  humanSummary(io.stderr, o, v, summary)
  return v.failed ? EXIT.MISMATCH : EXIT.OK
}
