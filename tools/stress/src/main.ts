import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { freshSeed } from './rng.js'
import { roundTrips } from './roundtrip.js'
import { runSession } from './session.js'
import { TARGET_NAMES } from './targets.js'

const USAGE = `node tools/stress/dist/src/stress.js [--trials N] [--seed S] [--targets a,b] [--replay TARGET:SEED] [--roundtrips N]

Crash trials: run clara-zip-unit, clara-shard, clara-pgdump, clara-backup and clara-restore, SIGKILL
each (its whole process group) after a random record or a random number of bytes written, check
that nothing partial is under a final name, that no index or metadata lists a missing or different
artifact and that latest still verifies, then resume or rerun and compare with an uninterrupted
run. With --roundtrips N, also N randomised round trips (fast-check): a fixture install changed
at random between backups, one run restored at random and compared with what was live then.
One "trial" record per trial on stdout; a line per trial on stderr. A failure prints its seed and
the command that replays it alone. Exit 0: everything held; 1: something failed.`

/** clara-stress: the crash trials of \`make stress\`. */
export async function main(io: Io): Promise<number> {
  const o = (await parseArgs(io, {
    name: 'clara-stress',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('trials', { type: 'number', default: 200, describe: 'how many crash trials' })
        .option('seed', { type: 'number', describe: 'session seed (default: random, printed)' })
        .option('targets', { type: 'string', default: TARGET_NAMES.join(','), describe: 'which tools, round-robin' })
        .option('replay', { type: 'string', array: true, describe: 'run only these trials, TARGET:SEED (repeatable)' })
        .option('work', { type: 'string', describe: 'scratch folder (default: $TMPDIR/clara-stress-<seed>)' })
        .option('keep', { type: 'boolean', default: false, describe: 'keep the files of trials that passed too' })
        .option('roundtrips', { type: 'number', default: 0, describe: 'also run this many randomised backup/restore round trips (fast-check, seeded by --seed)' })
        .option('roundtrip-backups', { type: 'number', default: 3, describe: 'backups per round trip' }) as any,
  })) as any
  if (!o) return EXIT.OK
  const targets = listFlag(o.targets)
  const bad = targets.filter((t) => !TARGET_NAMES.includes(t))
  if (bad.length) throw new UsageError(`unknown target(s): ${bad.join(', ')} (known: ${TARGET_NAMES.join(', ')})`)
  const replay = listFlag(o.replay).map((s) => {
    const m = /^([\w-]+):(\d+)$/.exec(s)
    if (!m || !TARGET_NAMES.includes(m[1])) throw new UsageError(`--replay ${s}: want TARGET:SEED`)
    return [m[1], Number(m[2])] as [string, number]
  })
  const seed = o.seed ?? freshSeed()
  const work = path.resolve(io.cwd, o.work ?? path.join(os.tmpdir(), `clara-stress-${seed}`))
  const log = new Logger(io, 'clara-stress', o)
  const out = new RecordWriter(io.stdout)
  log.info(`seed ${seed}, ${replay.length || o.trials} trial(s) over ${replay.length ? 'replayed seeds' : targets.join(', ')}; work in ${work}`)
  const results = await runSession({ work, seed, trials: o.trials, targets, replay, keep: o.keep, signal: io.signal, onResult: async (r, line) => {
    log.info(line)
    await out.write({ type: 'trial', target: r.target, seed: r.seed, plan: r.plan, note: r.note, killed: r.killed, temps: r.temps, ok: !r.problems.length, problems: r.problems, ms: r.ms })
  } })
  const failed = results.filter((r) => r.problems.length)
  const rt = o.roundtrips > 0 ? await runRoundTrips(work, seed, o.roundtrips, o['roundtrip-backups'], log) : null
  if (rt) await out.write({ type: 'error', during: 'roundtrip', item: `seed ${seed}`, message: rt, code: 'EROUNDTRIP' })
  await out.write({ type: 'summary', tool: 'clara-stress', ok: results.length - failed.length, failed: failed.length + (rt ? 1 : 0), bytes: 0, seed, roundtrips: o.roundtrips, roundtrips_ok: rt === null, killed: results.filter((r) => r.killed).length, mid_write: results.filter((r) => r.temps > 0).length })
  await out.end()
  log.info(`session seed ${seed}: ${results.length - failed.length}/${results.length} trials held (${results.filter((r) => r.killed).length} killed, ${results.filter((r) => r.temps > 0).length} mid-write)`)
  for (const f of failed) log.error(f.target, `FAILED seed ${f.seed}; replay: node tools/stress/dist/src/stress.js --replay ${f.target}:${f.seed}`)
  if (rt) log.error('round trips', `FAILED (replay: node tools/stress/dist/src/stress.js --trials 0 --roundtrips ${o.roundtrips} --seed ${seed}):\n${rt}`)
  if (failed.length || rt) return EXIT.PARTIAL
  if (!o.keep) await fsp.rm(work, { recursive: true, force: true })
  return EXIT.OK
}

async function runRoundTrips(work: string, seed: number, runs: number, backups: number, log: Logger): Promise<string | null> {
  log.info(`${runs} randomised round trip(s), ${backups} backups each (fast-check seed ${seed})`)
  return roundTrips({ work: path.join(work, 'roundtrips'), seed, runs, backups, onRun: (line) => log.info(line) })
}
