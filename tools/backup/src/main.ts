import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { acquireLock } from '@clara/shared/lock'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { redactUrl } from '@clara/shared/db'
import { BACKUP_UMASK } from '@clara/shared/perms'
import { selectDomains } from './domains.js'
import { openRunDir, previousRun } from './run-dir.js'
import { finishRun } from './finish.js'
import { runDomain } from './domain-run.js'
import { domainEnv, type RunFlags } from './domain-env.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

const USAGE = `$0 [options]

Run a complete backup of a C-LARA install into BACKUP_ROOT/<run-id>/: source, compiled, legacy,
db, audio cache, infra (and snapshots with --snapshots), in that order. Incremental by default:
units unchanged since the run 'latest' points at are hard-linked from it. One run at a time (lock).
manifest.json is written last, then 'latest' is switched to the new run.`

/** clara-backup: run every domain of a backup, resumable, incremental and locked. */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-backup',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('dest', { type: 'string', describe: 'BACKUP_ROOT: where run directories go (env BACKUP_ROOT, default /srv/clara_backups)' })
        .option('clara', { type: 'string', describe: 'the C-LARA root (env CLARA)' })
        .option('db', { type: 'string', describe: 'database URL (env DATABASE_URL, default sqlite:///$CLARA/db.sqlite3)' })
        .option('resume', { type: 'string', describe: 'finish an interrupted or failed run RUN_ID: finished units are kept' })
        .option('full', { type: 'boolean', default: false, describe: 'rebuild everything (no hard links from the previous run)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan as records, write nothing' })
        .option('checksums', { type: 'boolean', default: false, describe: 'record every member file sha256' })
        .option('only', { type: 'string', array: true, describe: 'project ids or internal_ids to include' })
        .option('skip', { type: 'string', array: true, describe: 'project ids or internal_ids to exclude' })
        .option('text-types', { type: 'string', describe: 'compiled text types (normal,phonetic,questionnaire)' })
        .option('existing', { choices: ['skip', 'overwrite'], default: 'skip', describe: 'what to do with units already in the run' })
        .option('workers', { type: 'number', default: 2, describe: 'parallel zip workers' })
        .option('snapshots', { type: 'boolean', default: false, describe: 'also write the coarse snapshots domain' })
        .option('domains', { type: 'string', describe: 'run only these domains (source,compiled,legacy,db,audio,infra,snapshots)' })
        .option('lock-file', { type: 'string', describe: 'lock file (env CLARA_BACKUP_LOCK, default /var/lock/clara_backup.lock)' })
        .option('encrypt-to', { type: 'string', array: true, describe: 'age recipient(s): encrypt db/, infra/ and secret units' })
        .option('group', { type: 'string', default: 'clara-backup', describe: 'group owning the backup files (if it exists)' }) as any,
  })
  if (!opts) return EXIT.OK
  const o = opts as any
  const log = new Logger(io, 'clara-backup', o)
  const clara = path.resolve(io.cwd, o.clara ?? io.env.CLARA ?? '')
  if (!o.clara && !io.env.CLARA) throw new UsageError('--clara DIR (or env CLARA) is required')
  const db = o.db ?? io.env.DATABASE_URL ?? `sqlite://${path.join(clara, 'db.sqlite3')}`
  const root = path.resolve(io.cwd, o.dest ?? io.env.BACKUP_ROOT ?? '/srv/clara_backups')
  let domains
  try {
    domains = selectDomains(listFlag(o.domains), o.snapshots)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  process.umask(BACKUP_UMASK)
  const out = new RecordWriter(io.stdout)
  const dry = Boolean(o['dry-run'])
  const lock = dry ? null : await acquireLock(o['lock-file'] ?? io.env.CLARA_BACKUP_LOCK ?? '/var/lock/clara_backup.lock', {
    onTakeover: (h, why) => log.info(`took over a stale lock (${why}; was pid ${h?.pid ?? '?'})`),
  })
  try {
    const started = new Date()
    const run = dry ? { id: 'dry-run', dir: path.join(root, 'dry-run'), resumed: false } : await openRunDir(root, o.resume, started)
    const prev = o.full ? null : await previousRun(root, run.dir)
    log.info(`${run.resumed ? 'resuming' : 'starting'} run ${run.id} in ${root}${prev ? ` (incremental from ${path.basename(prev)})` : ''}; database ${redactUrl(db)}`)
    const flags: RunFlags = { dry, checksums: o.checksums, only: listFlag(o.only), skip: listFlag(o.skip), textTypes: o['text-types'], existing: o.existing, workers: o.workers }
    const env = domainEnv(io.env, REPO, { clara, db, runDir: run.dir, runId: run.id, prev }, flags)
    const broken = new Map<string, number>()
    for (const [i, d] of domains.entries()) {
      log.info(`domain ${i + 1}/${domains.length}: ${d.name} → ${d.dir}/`)
      const r = await runDomain(path.join(REPO, 'scripts'), d, env, out, io.stderr)
      if (r.exit_code >= 2 || !r.stream_ok) {
        broken.set(d.dir, r.exit_code)
        log.error(d.name, `did not complete (exit ${r.exit_code}${r.message ? `; ${r.message}` : ''})`)
        await out.write({ type: 'error', during: 'domain', item: d.name, domain: d.dir, message: `domain did not complete (exit ${r.exit_code})` })
      }
    }
    const incomplete = broken.size > 0
    if (dry) {
      await out.end()
      return incomplete ? EXIT.FATAL : EXIT.OK
    }
    const manifest = await finishRun(run, { repo: REPO, root, clara, started, prev, domains, broken, incomplete, encryptTo: listFlag(o['encrypt-to']), group: o.group, env, log, out })
    const status = manifest.status
    await out.end()
    return status === 'complete' ? EXIT.OK : status === 'partial' ? EXIT.PARTIAL : EXIT.FATAL
  } finally {
    await lock?.release()
  }
}
