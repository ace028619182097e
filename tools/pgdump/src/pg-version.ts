/** PostgreSQL version strings and the rule that pg_dump must not be older than the server. */
import { ClaraError, EXIT } from '@clara/shared/cli'

export interface PgVersion {
  /** as printed, e.g. `15.20` */
  text: string
  /** the major release: 15, 16 … (9.6 for the old two-part majors) */
  major: number
}

/** Parse `15.20 (Debian …)`, `pg_dump (PostgreSQL) 16.2`, `9.6.24`, `17beta1`. */
export function parsePgVersion(s: string): PgVersion {
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[a-z]+\d*)?/i.exec(s)
  if (!m) throw new ClaraError(`cannot read a PostgreSQL version from "${s.trim()}"`, EXIT.FATAL, 'EVERSION')
  const a = Number(m[1])
  const b = m[2] === undefined ? undefined : Number(m[2])
  const major = a >= 10 ? a : Number(`${a}.${b ?? 0}`)
  return { text: m[0], major }
}

/** Refuse (exit 3, one line naming both) when pg_dump's major version is older than the server's. */
export function checkPgDumpVersion(pgDump: PgVersion, server: PgVersion): void {
  if (pgDump.major < server.major) {
    throw new ClaraError(
      `pg_dump ${pgDump.text} is older than the PostgreSQL server ${server.text}: it cannot dump it; install pg_dump ${server.major} or newer (or point --bin-dir at it)`,
      EXIT.FATAL,
      'EVERSION',
    )
  }
}
