import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Io } from '@clara/shared/cli'
import { EXIT, exitFor } from '@clara/shared/cli'
import { acquireLock, privateLockDir } from '@clara/shared/lock'
import { fmtBytes, Logger } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { NAME, readOptions } from './options.js'
import { backupRun, dryRun, type RunCtx } from './run.js'
import { endSummary, RunAlerts } from './alerts.js'
import { lowSpace, SPACE_FACTOR } from './free-space.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

/** Under the lock: warn (and notify) when space is short, then the run. */
async function lockedRun(c: RunCtx, alerts: RunAlerts): Promise<number> {
  const { o, log } = c
  await privateLockDir(path.dirname(o.lockFile))
  const lock = await acquireLock(o.lockFile, {
    onTakeover: (h, why) => log.info(`took over a stale lock ${o.lockFile} (${why}; it was held by pid ${h?.pid ?? '?'} since ${h?.started ?? '?'})`),
  })
  try {
    const low = await lowSpace(o.root)
    if (low) {
      const message = `low space: ${o.root} has ${fmtBytes(low.free_bytes)} free, less than ${SPACE_FACTOR} × the ${fmtBytes(low.last_new_bytes)} the last run (${low.last_run}) wrote new; this run may run out of space`
      log.warn(o.root, message)
      await alerts.warn({ event: 'low-space', status: 'low-space', exit_code: null, host: os.hostname(), backup_root: o.root, run_id: null, message, ...low })
    }
    return await backupRun(c)
  } finally {
    await lock.release()
  }
}

/** clara-backup: run every domain of a backup, resumable, incremental and locked. */
export async function main(io: Io): Promise<number> {
  const o = await readOptions(io)
  if (!o) return EXIT.OK
  const log = new Logger(io, NAME, o.log)
  const c: RunCtx = { io, o, log, out: new RecordWriter(io.stdout), repo: REPO }
  if (o.flags.dry) return dryRun(c)
  const alerts = new RunAlerts(o.alerts, log, io.env)
  await alerts.started()
  let code: number
  let message = ''
  try {
    code = await lockedRun(c, alerts)
  } catch (err) {
    // the alert says what the log line says; the error itself still ends the run as before
    const lines: string[] = []
    code = exitFor(err, { write: (l: string) => lines.push(l.trim()) } as never, NAME)
    // one line: the message, never a stack trace
    message = (lines[0] ?? '').split('\n')[0].replace(`${NAME}: `, '')
    await alerts.finished(await endSummary(o.root, code, message, c.result))
    throw err
  }
  await alerts.finished(await endSummary(o.root, code, null, c.result))
  return code
}
