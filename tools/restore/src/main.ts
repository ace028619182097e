import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { DEFAULT_MAX_UNIT_BYTES } from './limits.js'
import { restore } from './restore.js'
import { DOMAIN_NAMES, type DomainName } from './run-plan.js'
import { parseOwner } from './owner.js'

const USAGE = `$0 RUN --to NEWCLARA --db URL [options]

Restore a backup run (a directory under BACKUP_ROOT) into a new C-LARA root and an empty database,
migrating every path that points into an old root (the manifest's $CLARA, --from-root, or detected
from the C-LARA data folders; POSIX, Windows, literal $CLARA and S3-key styles) to NEWCLARA.
Order: pre-flight (nothing written: old roots, varchar overflow, schema, target checks), the
database (pg_restore / SQLite copy / mysql, then the path columns), compiled pages (served at
once), project sources, legacy, audio, media, snapshots, infra (into NEWCLARA/restored_infra/), then
logs/ tmp/ mediafiles/, the proof that no old root is left, and NEWCLARA/restore_report.json.
Rerun after an interruption to complete it: finished units are verified and skipped. Every
domain is restored by default (project sources included); --domains narrows. A member that is
unsafe (absolute, '..', a drive letter, NUL, a backslash, a device or FIFO, a hard link out of its
archive, a path through a symlink of its unit) is skipped and reported, the rest of its unit
restores; a decompression bomb or a member lying about its size refuses its unit, and so does a
restore-to path outside C-LARA's data places. Nothing is ever written through a symlink; links
are restored verbatim, last. Writes restored, refused, error, warning and summary records on stdout.`

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
        .option('max-unit-bytes', { type: 'number', default: DEFAULT_MAX_UNIT_BYTES, describe: 'refuse an archive that expands to more than this (also capped by the free space)' })
        .strict(false)
        .strictOptions() as any,
  })
  if (!opts) return EXIT.OK
  const o = opts as any
  const run = o._[0]
  if (o._.length !== 1 || typeof run !== 'string') throw new UsageError('give exactly one RUN directory')
  if (!o.to) throw new UsageError('--to NEWCLARA is required')
  const domains = pickDomains(o.domains, o.sources)
  if (o.owner !== undefined) parseOwner(String(o.owner)) // a bad --owner is a usage error before anything is written
  const db: string | null = o.db ?? io.env.DATABASE_URL ?? null
  if (domains.has('db') && !db) throw new UsageError('--db URL (or env DATABASE_URL) is required to restore the database (or leave db out of --domains)')
  const log = new Logger(io, 'clara-restore', o)
  const out = new RecordWriter(io.stdout)
  const code = await restore({
    run: path.resolve(io.cwd, run),
    to: path.resolve(io.cwd, o.to),
    db,
    fromRoots: [o['from-root']].flat().map(String),
    appDir: o['app-dir'] ? path.resolve(io.cwd, o['app-dir']) : null,
    force: o.force,
    identities: [o.identity].flat().map(String).map((f) => path.resolve(io.cwd, f)),
    domains,
    maxUnitBytes: o['max-unit-bytes'],
    keepSpecialModes: Boolean(o['keep-special-modes']),
    owner: o.owner === undefined ? null : String(o.owner),
    env: io.env,
    cwd: io.cwd,
    signal: io.signal,
  }, out, log)
  await out.end()
  return code
}

function pickDomains(list: string | undefined, sources: boolean): Set<DomainName> {
  const names = listFlag(list)
  const bad = names.filter((n) => !DOMAIN_NAMES.includes(n as DomainName))
  if (bad.length) throw new UsageError(`unknown domain(s): ${bad.join(', ')} (known: ${DOMAIN_NAMES.join(', ')})`)
  const set = new Set<DomainName>(names.length ? (names as DomainName[]) : DOMAIN_NAMES)
  if (sources) set.add('source')
  return set
}
