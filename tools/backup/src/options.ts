/** clara-backup's command line: flags, environment defaults, and their checks. */
import os from 'node:os'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { withLogFlags, type LogFlags } from '@clara/shared/log'
import { selectDomains, type Domain } from './domains.js'
import type { RunFlags } from './domain-env.js'
import { isRunId } from './run-dir.js'
import type { AlertOptions } from './alerts.js'

export const NAME = 'clara-backup'

export const USAGE = `$0 --clara DIR [--dest BACKUP_ROOT] [--db URL] [--resume RUN_ID] [--full] [--dry-run] [options]

Run a complete backup of a C-LARA install into BACKUP_ROOT/<run-id>/: source, compiled, legacy,
db, audio cache, media, infra (and snapshots with --snapshots), each domain's tools composed as its
script in scripts/ composes them, in a thread of ours (CLARA_BACKUP_COMPOSE=scripts: by the script); --jobs of them at once (default 2: the longest ones by the previous run's times first;
--jobs 1: one by one, in that order). Incremental by default: units unchanged since the run 'latest' points at are
hard-linked from it, and a domain none of whose inputs changed (same stat data, options and toolkit
build) is hard-linked whole without starting its tools (--rescan runs them anyway). One run at a time (lock). manifest.json is written last, then 'latest' is
switched to the new run. Records go to stdout; progress, the tools' log lines and a summary to
stderr (--quiet, --log-json and --verbose are passed on to the tools in CLARA_LOG).
Exit 0: every unit done; 1: some units failed (failures.json); 3: the run could not complete
('latest' not switched; finish it with --resume); 11: another run holds the lock; 130: interrupted.`

export interface BackupOptions {
  clara: string
  db: string
  root: string
  resume?: string
  full: boolean
  /** run every domain's tools even when its inputs are unchanged (units are still reused) */
  rescan: boolean
  flags: RunFlags
  domains: Domain[]
  lockFile: string
  /** domains run at once */
  jobs: number
  encryptTo: string[]
  group: string
  log: LogFlags
  /** --notify, --ping */
  alerts: AlertOptions
}

function build(y: any): any {
  return withLogFlags(y)
    .option('clara', { type: 'string', describe: 'the C-LARA root (env CLARA)' })
    .option('dest', { type: 'string', describe: 'BACKUP_ROOT: where run directories go (env BACKUP_ROOT, default /srv/clara_backups)' })
    .option('db', { type: 'string', describe: 'database URL (env DATABASE_URL, default sqlite://$CLARA/db.sqlite3)' })
    .option('resume', { type: 'string', describe: 'finish the interrupted or failed run RUN_ID: finished units are kept' })
    .option('full', { type: 'boolean', default: false, describe: 'rebuild everything (no hard links from the previous run)' })
    .option('rescan', { type: 'boolean', default: false, describe: 'run every domain\'s tools even when nothing it reads changed (unchanged units are still linked)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan as records, write nothing' })
    .option('checksums', { type: 'boolean', default: false, describe: 'record every member file sha256 in the unit metadata' })
    .option('only', { type: 'string', array: true, describe: 'project ids or internal_ids (legacy: names) to include' })
    .option('skip', { type: 'string', array: true, describe: 'project ids or internal_ids (legacy: names) to leave out' })
    .option('text-types', { type: 'string', describe: 'compiled text types to include (normal,phonetic,questionnaire)' })
    .option('existing', { choices: ['skip', 'overwrite'], default: 'skip', describe: 'units already in the run directory: keep (when they check out) or rebuild' })
    .option('workers', { type: 'number', default: 2, describe: 'parallel archive workers' })
    .option('jobs', { type: 'number', describe: 'domains run at once (env CLARA_BACKUP_JOBS, default 2); 1 runs them one by one in the design\'s order' })
    .option('snapshots', { type: 'boolean', default: false, describe: 'also write the coarse snapshots domain' })
    .option('domains', { type: 'string', describe: 'run only these domains (source,compiled,legacy,db,audio,media,infra,snapshots)' })
    .option('lock-file', { type: 'string', describe: 'lock file, in a folder only this user can write (env CLARA_BACKUP_LOCK, default /run/clara-backup/clara_backup.lock as root, else ~/.local/state/clara-backup/clara_backup.lock)' })
    .option('encrypt-to', { type: 'string', array: true, describe: 'age recipient(s) (age1… or ssh-…): encrypt db/, infra/ and secret units (env CLARA_BACKUP_ENCRYPT_TO)' })
    .option('group', { type: 'string', default: 'clara-backup', describe: 'group owning the backup files (when it exists)' })
    .option('notify', { type: 'string', describe: 'shell command run with the summary as JSON on stdin when a run ends partial, incomplete, locked or interrupted, or starts short of space (env CLARA_BACKUP_NOTIFY)' })
    .option('ping', { type: 'string', describe: 'healthchecks-style URL: URL/start at the start, then URL (completed) or URL/fail, with the summary (env CLARA_BACKUP_PING)' })
}

function checkOptions(o: any): void {
  if (o.ping !== undefined && !/^https?:\/\/[^\s/]+/.test(o.ping)) throw new UsageError(`--ping: "${o.ping}" is not an http(s) URL`)
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new UsageError(`--workers: ${o.workers} is not a whole number ≥ 1`)
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1)) throw new UsageError(`--jobs: ${o.jobs} is not a whole number ≥ 1`)
  if (o.resume !== undefined && !isRunId(o.resume)) throw new UsageError(`--resume: "${o.resume}" is not a run id (like 20261127T211500Z)`)
  if (o.resume !== undefined && o['dry-run']) throw new UsageError('--resume and --dry-run: a dry run writes nothing, so there is nothing to resume')
  for (const r of listFlag(o['encrypt-to'])) {
    if (!/^(age1[0-9a-z]{20,}|ssh-\S+)/.test(r)) throw new UsageError(`--encrypt-to: "${r}" is not an age recipient (age1… or an ssh public key)`)
  }
}

/**
 * The default lock: in a folder only the backup's user can write (never the world-writable /var/lock, where
 * any user could plant a lock that blocks every run): /run/clara-backup as root, else in the user's home
 * (from the password database, so cron and a login shell agree).
 */
export function defaultLockFile(uid: number | null = typeof process.geteuid === 'function' ? process.geteuid() : null): string {
  const dir = uid === 0 ? '/run/clara-backup' : path.join(os.userInfo().homedir, '.local/state/clara-backup')
  return path.join(dir, 'clara_backup.lock')
}

function jobsFromEnv(v: string | undefined): number {
  if (v === undefined || v === '') return 2
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`CLARA_BACKUP_JOBS: "${v}" is not a whole number ≥ 1`)
  return n
}

/** Parse and check the command line; null when --help/--version was answered. */
export async function readOptions(io: Io): Promise<BackupOptions | null> {
  const o = (await parseArgs(io, { name: NAME, usage: USAGE, build })) as any
  if (!o) return null
  // the environment file of the systemd unit (or cron's environment) may give these instead of flags
  o['encrypt-to'] ??= io.env.CLARA_BACKUP_ENCRYPT_TO ? [io.env.CLARA_BACKUP_ENCRYPT_TO] : undefined
  o.notify ??= io.env.CLARA_BACKUP_NOTIFY || undefined
  o.ping ??= io.env.CLARA_BACKUP_PING || undefined
  checkOptions(o)
  if (!o.clara && !io.env.CLARA) throw new UsageError('--clara DIR (or env CLARA) is required')
  const clara = path.resolve(io.cwd, o.clara ?? io.env.CLARA)
  // checked before anything is written: a run of a C-LARA root that is not there would only be an incomplete run
  const st = await fsp.stat(clara).catch(() => null)
  if (!st?.isDirectory()) throw new UsageError(`--clara ${clara}: ${st ? 'not a directory' : 'no such directory'} (the C-LARA root to back up)`)
  let domains: Domain[]
  try {
    domains = selectDomains(listFlag(o.domains), o.snapshots)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  return {
    clara,
    db: o.db ?? io.env.DATABASE_URL ?? `sqlite://${path.join(clara, 'db.sqlite3')}`,
    root: path.resolve(io.cwd, o.dest ?? io.env.BACKUP_ROOT ?? '/srv/clara_backups'),
    resume: o.resume,
    full: o.full,
    rescan: o.rescan,
    flags: {
      dry: o['dry-run'], checksums: o.checksums, only: listFlag(o.only), skip: listFlag(o.skip),
      textTypes: o['text-types'], existing: o.existing, workers: o.workers, encrypt: listFlag(o['encrypt-to']).length > 0,
    },
    domains,
    jobs: o.jobs ?? jobsFromEnv(io.env.CLARA_BACKUP_JOBS),
    lockFile: path.resolve(io.cwd, o['lock-file'] ?? (io.env.CLARA_BACKUP_LOCK || defaultLockFile())),
    encryptTo: listFlag(o['encrypt-to']),
    group: o.group,
    log: { quiet: o.quiet, 'log-json': o['log-json'], verbose: o.verbose },
    alerts: { notify: o.notify || undefined, ping: o.ping },
  }
}
