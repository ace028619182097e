import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { acquireLock } from '@clara/shared/lock'
import { Logger } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { NAME, readOptions } from './options.js'
import { backupRun, dryRun, type RunCtx } from './run.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

/** clara-backup: run every domain of a backup, resumable, incremental and locked. */
export async function main(io: Io): Promise<number> {
  const o = await readOptions(io)
  if (!o) return EXIT.OK
  const log = new Logger(io, NAME, o.log)
  const c: RunCtx = { io, o, log, out: new RecordWriter(io.stdout), repo: REPO }
  if (o.flags.dry) return dryRun(c)
  const lock = await acquireLock(o.lockFile, {
    onTakeover: (h, why) => log.info(`took over a stale lock ${o.lockFile} (${why}; it was held by pid ${h?.pid ?? '?'} since ${h?.started ?? '?'})`),
  })
  try {
    return await backupRun(c)
  } finally {
    await lock.release()
  }
}
