/** File names in db/: `clara_db_YYYYMMDD_HHMMSS.<ext>` and the metadata file beside it. */
import type { Engine } from '@clara/shared/db'
import { UsageError } from '@clara/shared/cli'

const EXT: Record<Engine, string> = { postgres: 'dump', sqlite: 'sqlite3', mysql: 'sql' }

/** A UTC time as `YYYYMMDD_HHMMSS`. */
export function dumpTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)
}

/** Check a `--timestamp` value and return the time it names. */
export function parseTimestamp(s: string): Date {
  const m = /^(\d{4})(\d\d)(\d\d)_(\d\d)(\d\d)(\d\d)$/.exec(s)
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null
  if (!d || dumpTimestamp(d) !== s) throw new UsageError(`--timestamp must be YYYYMMDD_HHMMSS (UTC), got "${s}"`)
  return d
}

export function dumpName(engine: Engine, ts: string): string {
  return `clara_db_${ts}.${EXT[engine]}`
}

/** `clara_db_<ts>.dump` → `clara_db_<ts>.db_metadata.json`: one metadata file per dump. */
export function metadataName(dump: string): string {
  return dump.replace(/\.(dump|sqlite3|sql)$/, '') + '.db_metadata.json'
}

/** The dump a metadata file belongs to is named inside it; this recognises the metadata files. */
export function isMetadataName(name: string): boolean {
  return /^clara_db_\d{8}_\d{6}\.db_metadata\.json$/.test(name)
}

/** A dump file's name (any engine): `clara_db_YYYYMMDD_HHMMSS.{dump,sqlite3,sql}`. */
export function isDumpName(name: string): boolean {
  return /^clara_db_\d{8}_\d{6}\.(dump|sqlite3|sql)$/.test(name)
}
