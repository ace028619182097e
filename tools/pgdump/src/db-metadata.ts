/** The metadata written beside each dump: what restore and verify check the dump against. */
import { canonicalTimestamp } from '@clara/shared/canonical'
import type { Db, Engine } from '@clara/shared/db'
import { TABLE_HASH_ALGORITHM, type TableHash } from '@clara/shared/table-hash'

/** The last `django_migrations` row of each app: the schema fingerprint restore compares with the code. */
export interface MigrationsHead {
  count: number
  apps: Record<string, { name: string; applied: string | null; id: number }>
}

/** Read the migration head, or null when the database has no `django_migrations` table. */
export async function migrationsHead(db: Db, tables: string[]): Promise<MigrationsHead | null> {
  if (!tables.includes('django_migrations')) return null
  // PostgreSQL formats the time itself: its driver would drop the microseconds.
  const applied = db.engine === 'postgres' ? `to_char(applied at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as applied` : 'applied'
  const rows = await db.query<{ id: unknown; app: string; name: string; applied: unknown }>(
    `select id, app, name, ${applied} from ${db.ident('django_migrations')} order by id`,
  )
  const apps: MigrationsHead['apps'] = {}
  for (const r of rows) apps[r.app] = { name: r.name, applied: r.applied == null ? null : canonicalTimestamp(r.applied), id: Number(r.id) }
  const sorted: MigrationsHead['apps'] = {}
  for (const app of Object.keys(apps).sort()) sorted[app] = apps[app]
  return { count: rows.length, apps: sorted }
}

/** What a dump step found out, for the metadata file. */
export interface DumpOutcome {
  engine: Engine
  database: string
  server_version: string
  dump_tool: { name: string; version: string; args: string[] }
  format: string
  /** how the table hashes relate to the dump's contents */
  consistency: string
  tables: Record<string, TableHash>
  django_migrations: MigrationsHead | null
  size_bytes: number
  sha256: string
  /** engine-specific checks (toc entries, integrity) */
  checks: Record<string, unknown>
}

/** What a dry run finds out instead (--dry-run): the tables as the dump would describe them, and a size estimate. */
export interface DumpPlan {
  /** an estimate: the SQLite file, pg_database_size(), MySQL's data_length sum */
  size_bytes: number
  tables: Record<string, TableHash>
}

/** Tables and rows in all: the metadata's `totals`, and the artifact record's `tables` and `rows`. */
export function totals(tables: Record<string, TableHash>): { tables: number; rows: number } {
  return { tables: Object.keys(tables).length, rows: Object.values(tables).reduce((n, t) => n + t.rows, 0) }
}

export interface DumpIdentity {
  name: string
  url: string
  created_at: string
}

/** The metadata document, keys in a fixed order. */
export function dumpMetadata(id: DumpIdentity, o: DumpOutcome): Record<string, unknown> {
  return {
    version: 1,
    dump: id.name,
    engine: o.engine,
    format: o.format,
    size_bytes: o.size_bytes,
    sha256: o.sha256,
    created_at: id.created_at,
    database: o.database,
    url: id.url,
    server_version: o.server_version,
    dump_tool: o.dump_tool,
    checks: o.checks,
    django_migrations: o.django_migrations,
    table_hash: { algorithm: TABLE_HASH_ALGORITHM, consistency: o.consistency },
    totals: totals(o.tables),
    tables: o.tables,
  }
}
