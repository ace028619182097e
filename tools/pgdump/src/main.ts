import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { parseArgs, pathsFlag } from '@clara/shared/args'
import { parseDbUrl, scrub } from '@clara/shared/db'
import { claraFrom, databaseFrom } from '@clara/shared/env'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { copySqliteFiles } from './copy-files.js'
import { knownSecrets } from './credentials.js'
import { dumpDatabase, planDatabase } from './dump-db.js'
import { dumpTimestamp, parseTimestamp } from './dump-names.js'

const USAGE = `$0 --db URL --dest DIR [options]
       $0 --sqlite-files FILE[,FILE...] --dest DIR [options]

Dump the C-LARA database into DIR/db/ as clara_db_YYYYMMDD_HHMMSS.{dump,sqlite3,sql}:
PostgreSQL with pg_dump -Fc (checked with pg_restore --list), SQLite with the online backup
API (integrity-checked), MariaDB/MySQL with mysqldump --single-transaction --routines
--triggers. Beside each dump, clara_db_<ts>.db_metadata.json holds the engine, versions,
each table's row count and content hash, the django_migrations head, size and sha256;
db/index.json is rebuilt (with --replace, the other dumps there are removed first). With
--sqlite-files, copies loose SQLite files (the legacy audio DBs) into DIR/audio_cache/orm_db/
with one db_metadata.json; absent files are recorded.
Passwords come from the URL, PGPASSWORD, MYSQL_PWD, ~/.pgpass or ~/.my.cnf; they never
reach a command line or any output. Writes artifact, error and summary records on stdout.
With --dry-run, writes nothing (no folder, no temp file) but makes every check a dump makes
first (connection, tables and row counts, pg_dump/pg_restore/mysqldump and their versions;
each --sqlite-files file readable) and prints the same records with planned: true and an
estimated size_bytes (no sha256).`

interface Opts {
  db?: string
  dest?: string
  'out-dir'?: string
  timestamp?: string
  'sqlite-files'?: string[]
  'bin-dir'?: string
  'assume-server-version'?: string
  'dry-run'?: boolean
  replace?: boolean
  quiet?: boolean
  verbose?: boolean
  'log-json'?: boolean
}

function hideSecrets(err: unknown, secrets: string[]): never {
  if (err instanceof Error) {
    err.message = scrub(err.message, secrets)
    if (err.stack) err.stack = scrub(err.stack, secrets)
  }
  throw err
}

/** Which folder to write and which folder record paths are relative to. */
function places(io: Io, opts: Opts, defaultSub: string): { outDir: string; root: string } {
  if (!opts.dest && !opts['out-dir']) throw new UsageError('--dest DIR is required (or --out-dir DIR)')
  const outDir = opts['out-dir'] ? path.resolve(io.cwd, opts['out-dir']) : path.resolve(io.cwd, opts.dest!, defaultSub)
  return { outDir, root: opts.dest ? path.resolve(io.cwd, opts.dest) : path.dirname(outDir) }
}

/** `--sqlite-files`: copy loose SQLite files into audio_cache/orm_db/ (or, with --dry-run, check them). */
async function filesMode(io: Io, opts: Opts, log: Logger, w: RecordWriter): Promise<number> {
  const files = pathsFlag(opts['sqlite-files'])
  if (opts.db) throw new UsageError('use either --db or --sqlite-files, not both')
  if (!files.length) throw new UsageError('--sqlite-files needs at least one file')
  const names = files.map((f) => path.basename(f))
  if (new Set(names).size !== names.length) throw new UsageError('--sqlite-files: two files share a base name')
  const { outDir, root } = places(io, opts, 'audio_cache/orm_db')
  const job = { files: files.map((f) => path.resolve(io.cwd, f)), outDir, root, domain: 'audio_cache', createdAt: new Date().toISOString(), dryRun: opts['dry-run'] }
  return copySqliteFiles(job, log, w)
}

/** `--db`: dump one database into db/ (or plan it). Every error message leaves with the passwords scrubbed. */
async function dbMode(io: Io, opts: Opts, ts: string, log: Logger, w: RecordWriter): Promise<number> {
  const given = opts.db || io.env.DATABASE_URL
  const url = databaseFrom(opts.db, io.env, given ? undefined : claraFrom(undefined, io.env, io.cwd))?.url
  if (!url) throw new UsageError('--db URL is required (or set DATABASE_URL, or CLARA for its SQLite database)')
  const secrets = knownSecrets(url, io.env)
  try {
    const engine = parseDbUrl(url, io.cwd).engine
    const { outDir, root } = places(io, opts, 'db')
    const ctx = { url, env: io.env, cwd: io.cwd, signal: io.signal, binDir: opts['bin-dir'], assumeServerVersion: opts['assume-server-version'], secrets, log }
    const job = { engine, ts, createdAt: new Date().toISOString(), outDir, root, replace: opts.replace }
    return await (opts['dry-run'] ? planDatabase : dumpDatabase)(job, ctx, w)
  } catch (err) {
    hideSecrets(err, secrets)
  }
}

/** clara-pgdump: dump the C-LARA database (PostgreSQL, SQLite or MariaDB/MySQL) into db/ with its metadata. */
export async function main(io: Io): Promise<number> {
  const opts = (await parseArgs(io, {
    name: 'clara-pgdump',
    usage: USAGE,
    build: (y) =>
      withLogFlags(
        y
          .option('db', { type: 'string', describe: 'database URL: postgres://…, mysql://…, sqlite:///path (default: $DATABASE_URL, else sqlite://$CLARA/db.sqlite3)' })
          .option('dest', { type: 'string', describe: 'the backup run directory (writes DIR/db/)' })
          .option('out-dir', { type: 'string', describe: 'write exactly here instead of DIR/db (or DIR/audio_cache/orm_db)' })
          .option('timestamp', { type: 'string', describe: 'YYYYMMDD_HHMMSS (UTC) for the dump name (default: now)' })
          .option('sqlite-files', { type: 'string', array: true, describe: 'copy these SQLite files instead (comma list, repeatable; a path may hold spaces)' })
          .option('bin-dir', { type: 'string', describe: 'folder holding pg_dump, pg_restore, mysqldump (default: PATH)' })
          .option('replace', { type: 'boolean', default: false, describe: 'once the new dump is finished, remove the other dumps in the folder (a rerun into a run)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'check everything, emit the records with planned: true; write nothing' })
          .option('assume-server-version', { type: 'string', hidden: true }),
      ),
  })) as Opts | null
  if (!opts) return EXIT.OK
  const ts = opts.timestamp ? (parseTimestamp(opts.timestamp), opts.timestamp) : dumpTimestamp(new Date())
  const log = new Logger(io, 'clara-pgdump', opts)
  const w = new RecordWriter(io.stdout)
  const code = opts['sqlite-files'] !== undefined ? await filesMode(io, opts, log, w) : await dbMode(io, opts, ts, log, w)
  await w.end()
  return code
}
