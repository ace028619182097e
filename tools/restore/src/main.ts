import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { DEFAULT_MAX_UNIT_BYTES } from './limits.js'
import { restore } from './restore.js'
import { restoreProject } from './project-restore.js'
import { DOMAIN_NAMES, type DomainName } from './run-plan.js'
import { parseOwner } from './owner.js'

const USAGE = `$0 RUN --to NEWCLARA --db URL [options]
       $0 RUN --project ID --into CLARA --db URL [--replace]

Restore a backup run (a directory under BACKUP_ROOT) into a new C-LARA root and an empty database,
migrating every path that points into an old root (the manifest's $CLARA, --from-root, or detected
from the C-LARA data folders; POSIX, Windows, literal $CLARA and S3-key styles) to NEWCLARA.
Order: pre-flight (nothing written: old roots, varchar overflow, schema, target checks), the
database (pg_restore / SQLite copy / mysql, then the path columns), compiled pages (served at
once), project sources, legacy, audio, media, snapshots, infra (into NEWCLARA/restored_infra/), then
logs/ tmp/ mediafiles/, the content zips the install had rebuilt, config.ini merged with the
checkout's, the pickled texts' paths moved, the proof that no old root is left, and
NEWCLARA/restore_report.json.
Rerun after an interruption to complete it: finished units are verified and skipped. Every
domain is restored by default (project sources included); --domains narrows. A member that is
unsafe (absolute, '..', a drive letter, NUL, a backslash, a device or FIFO, a hard link out of its
archive, a path through a symlink of its unit) is skipped and reported, the rest of its unit
restores; a decompression bomb or a member lying about its size refuses its unit, and so does a
restore-to path outside C-LARA's data places. Nothing is ever written through a symlink; links
are restored verbatim, last. Writes restored, refused, error, warning and summary records on stdout.

With --project: bring one project back into the LIVE install at --into (its source folder, images,
compiled pages and database rows, paths migrated into CLARA), changing nothing else. Refused when
the project is there, unless --replace (the live copy is moved aside first).`

/** clara-restore: restore a backup run into a new C-LARA root and database, migrating paths */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-restore',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('to', { type: 'string', describe: 'the new C-LARA root (NEWCLARA); created if missing' })
        .option('db', { type: 'string', describe: 'the target database: postgres://…, mysql://…, sqlite:///path (env DATABASE_URL); must hold no tables' })
        .option('sources', { type: 'boolean', default: false, describe: 'kept for old scripts: project sources are restored by default now' })
        .option('from-root', { type: 'string', array: true, default: [] as string[], describe: 'another old root to migrate from (repeatable)' })
        .option('app-dir', { type: 'string', describe: "a C-LARA checkout: compare its clara_app migrations with the backup's" })
        .option('force', { type: 'boolean', default: false, describe: 'restore over a database holding tables, past a schema mismatch, keeping overflowing paths unrewritten' })
        .option('identity', { type: 'string', array: true, default: [] as string[], describe: 'age identity file for an encrypted run (repeatable)' })
        .option('domains', { type: 'string', describe: `only these (${DOMAIN_NAMES.join(',')}); default all` })
        .option('keep-special-modes', { type: 'boolean', default: false, describe: 'keep setuid, setgid and sticky bits of archive members (dropped by default)' })
        .option('owner', { type: 'string', describe: 'run as root: give NEWCLARA to USER[:GROUP] (default: the owner of its parent folder)' })
        .option('project', { type: 'number', describe: 'bring back only this project (by id) into the live install at --into' })
        .option('into', { type: 'string', describe: 'with --project: the live C-LARA root' })
        .option('replace', { type: 'boolean', default: false, describe: 'with --project: move the live copy of the project aside, then restore it' })
        .option('jobs', { type: 'number', describe: 'units restored at once, each on a thread of its own (default: one per CPU, at most 4)' })
        .option('max-unit-bytes', { type: 'number', default: DEFAULT_MAX_UNIT_BYTES, describe: 'refuse an archive that expands to more than this (also capped by the free space)' })
        .strict(false)
        .strictOptions() as any,
  })
  if (!opts) return EXIT.OK
  const o = opts as any
  const run = o._[0]
  if (o._.length !== 1 || typeof run !== 'string') throw new UsageError('give exactly one RUN directory')
  if (o.project !== undefined) return projectMain(io, o, run)
  if (o.into || o.replace) throw new UsageError('--into and --replace go with --project ID')
  if (!o.to) throw new UsageError('--to NEWCLARA is required')
  const domains = pickDomains(o.domains, o.sources)
  if (o.owner !== undefined) parseOwner(String(o.owner)) // a bad --owner is a usage error before anything is written
  const db: string | null = o.db ?? io.env.DATABASE_URL ?? null
  if (domains.has('db') && !db) throw new UsageError('--db URL (or env DATABASE_URL) is required to restore the database (or leave db out of --domains)')
  return withRecords(io, o, (out, log) => restore({
    ...common(io, o, run),
    to: path.resolve(io.cwd, o.to),
    db,
    appDir: o['app-dir'] ? path.resolve(io.cwd, o['app-dir']) : null,
    force: o.force,
    domains,
    owner: o.owner === undefined ? null : String(o.owner),
  }, out, log))
}

/** What both kinds of restore take from the command line alike. */
/** `--jobs N`: a whole number from 1 up, or left to the restore (undefined). */
function jobsOf(v: unknown): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`--jobs wants a whole number from 1 up, not ${JSON.stringify(String(v))}`)
  return v
}

const common = (io: Io, o: any, run: string) => ({
  run: path.resolve(io.cwd, run),
  fromRoots: [o['from-root']].flat().map(String),
  identities: [o.identity].flat().map(String).map((f) => path.resolve(io.cwd, f)),
  maxUnitBytes: o['max-unit-bytes'] as number,
  keepSpecialModes: Boolean(o['keep-special-modes']),
  jobs: jobsOf(o.jobs),
  env: io.env,
  cwd: io.cwd,
  signal: io.signal,
})

/** Run `f` with the logger and the record writer on stdout, ended afterwards. */
async function withRecords(io: Io, o: any, f: (out: RecordWriter, log: Logger) => Promise<number>): Promise<number> {
  const out = new RecordWriter(io.stdout)
  const code = await f(out, new Logger(io, 'clara-restore', o))
  await out.end()
  return code
}

/** `--project ID --into CLARA`: one project into the live install. */
async function projectMain(io: Io, o: any, run: string): Promise<number> {
  if (!Number.isInteger(o.project) || o.project <= 0) throw new UsageError(`--project wants a project id (a positive integer), not ${JSON.stringify(String(o.project))}`)
  if (!o.into) throw new UsageError('--project ID needs --into CLARA (the live install)')
  if (o.to || o.domains || o.sources) throw new UsageError('--project restores one project into --into: --to, --domains and --sources do not apply')
  const db: string | null = o.db ?? io.env.DATABASE_URL ?? null
  if (!db) throw new UsageError('--db URL (or env DATABASE_URL) is required: the live database')
  return withRecords(io, o, (out, log) => restoreProject({ ...common(io, o, run), into: path.resolve(io.cwd, o.into), db, project: o.project, replace: o.replace }, out, log))
}

function pickDomains(list: string | undefined, sources: boolean): Set<DomainName> {
  const names = listFlag(list)
  const bad = names.filter((n) => !DOMAIN_NAMES.includes(n as DomainName))
  if (bad.length) throw new UsageError(`unknown domain(s): ${bad.join(', ')} (known: ${DOMAIN_NAMES.join(', ')})`)
  const set = new Set<DomainName>(names.length ? (names as DomainName[]) : DOMAIN_NAMES)
  if (sources) set.add('source')
  return set
}
