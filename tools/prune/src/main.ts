import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { ClaraError, EXIT, UsageError } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { errorRecord } from '@clara/shared/records'
import { listRuns } from '@clara/shared/run-set'
import { parseAge } from './buckets.js'
import { freedBytes } from './freed.js'
import { planPrune, type Plan, type Policy } from './policy.js'
import { removeLeftover, removeRun } from './remove-run.js'

const USAGE = `$0 --root BACKUP_ROOT [--daily N] [--weekly M] [--delete]

Apply the retention policy to the backup runs under BACKUP_ROOT. Only complete full-selection runs
count (every selected domain finished, failed units allowed; no --only, --skip or --domains): keep
the newest of them on each of the newest N days and M ISO weeks, delete the rest. Dry-run by default:
prints what it would delete; --delete acts. Never deletes the newest complete full-selection run, a
run pinned by a 'keep' file, the run 'latest' points to, or an unfinished run (unless
--delete-unfinished). Runs that do not count (part of the install, incomplete) are kept while they
are within the daily window. With no complete full-selection run at all, nothing is deleted.`

function policyFrom(opts: { daily: number; weekly: number; now?: string; 'delete-unfinished'?: string }, env: NodeJS.ProcessEnv): Policy {
  for (const k of ['daily', 'weekly'] as const) {
    if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new UsageError(`--${k}: expected a whole number ≥ 0, got ${opts[k]}`)
  }
  const nowText = opts.now ?? env.CLARA_NOW
  const now = nowText ? new Date(nowText) : new Date()
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now: not a date: ${nowText}`)
  let unfinishedAfterMs: number | null = null
  if (opts['delete-unfinished'] !== undefined) {
    unfinishedAfterMs = parseAge(opts['delete-unfinished'])
    if (unfinishedAfterMs === null) throw new UsageError(`--delete-unfinished: expected an age such as 48h or 7d, got ${opts['delete-unfinished']}`)
  }
  return { daily: opts.daily, weekly: opts.weekly, now, unfinishedAfterMs }
}

interface Act {
  root: string
  dry: boolean
  out: RecordWriter
  log: Logger
}

/** Delete (or, dry, announce) leftovers and doomed runs; record every decision. Returns the failures. */
async function carryOut(plan: Plan, leftovers: string[], a: Act): Promise<number> {
  let failed = 0
  const act = async (run: string, reason: string, del: () => Promise<void>): Promise<void> => {
    try {
      if (!a.dry) await del()
      a.log.info(`${a.dry ? 'would delete' : 'deleted'} ${run}: ${reason}`)
      await a.out.write({ type: 'prune', run, action: 'delete', reason, dry_run: a.dry })
    } catch (err) {
      failed++
      a.log.error(run, `cannot delete: ${(err as Error).message}`)
      await a.out.write(errorRecord('prune', run, err))
    }
  }
  for (const name of leftovers) await act(name, 'left over by an interrupted prune', () => removeLeftover(a.root, name))
  for (const d of plan.decisions) {
    const reason = d.reasons.join('; ')
    if (d.action === 'delete') await act(d.run, reason, () => removeRun(a.root, d.run))
    else {
      a.log.detail(`keep ${d.run}: ${reason}`)
      await a.out.write({ type: 'prune', run: d.run, action: 'keep', reason, dry_run: a.dry })
    }
  }
  return failed
}

/** clara-prune: apply the retention policy to backup runs (dry-run by default). */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-prune',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('root', { type: 'string', demandOption: true, describe: 'the backup root holding the run directories' })
        .option('daily', { type: 'number', default: 7, describe: 'keep the newest complete full-selection run of each of the newest N days with one' })
        .option('weekly', { type: 'number', default: 4, describe: 'keep the newest complete full-selection run of each of the newest M ISO weeks with one' })
        .option('delete', { type: 'boolean', default: false, describe: 'really delete (default: dry run)' })
        .option('delete-unfinished', { type: 'string', describe: 'also delete unfinished runs older than AGE (e.g. 48h, 7d) that are not the newest' })
        .option('now', { type: 'string', describe: 'the current time (ISO 8601; default $CLARA_NOW or the clock)' }),
  })
  if (!opts) return EXIT.OK
  const policy = policyFrom(opts, io.env)
  const log = new Logger(io, 'clara-prune', opts)
  const root = path.resolve(io.cwd, opts.root)
  if (!(await fsp.stat(root).catch(() => null))?.isDirectory()) throw new ClaraError(`--root ${opts.root}: no such directory`, EXIT.FATAL, 'ENOENT')
  const set = await listRuns(root)
  const plan = planPrune(set, policy)
  const out = new RecordWriter(io.stdout)
  const dry = !opts.delete
  if (plan.blocked) {
    log.warn(path.basename(root), plan.blocked)
    await out.write({ type: 'warning', during: 'prune', item: root, message: plan.blocked })
  }
  const doomed = plan.decisions.filter((d) => d.action === 'delete')
  const bytes = await freedBytes([...doomed.map((d) => path.join(root, d.run)), ...set.leftovers.map((n) => path.join(root, n))])
  const failed = await carryOut(plan, set.leftovers, { root, dry, out, log })
  const deleted = doomed.length + set.leftovers.length - failed
  const kept = plan.decisions.length - doomed.length
  log.info(`${dry ? 'dry run: would delete' : 'deleted'} ${deleted} of ${plan.decisions.length} runs, ${dry ? 'freeing' : 'freed'} ${bytes} bytes; kept ${kept}${dry && deleted ? ' (--delete to act)' : ''}`)
  await out.write({ type: 'summary', tool: 'clara-prune', ok: deleted + kept, failed, bytes, kept, deleted, dry_run: dry, blocked: plan.blocked })
  await out.end()
  return failed ? EXIT.PARTIAL : EXIT.OK
}
