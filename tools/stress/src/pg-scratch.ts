/** Databases for the DB rows: a PostgreSQL one big enough that pg_dump takes a moment, and the backend killer. */
import { openDb } from '@clara/shared/db'
import { createPgDb, PG_ADMIN_URL, type ScratchDb } from '@clara/shared/testkit'

/** A scratch PostgreSQL database holding `rows` bulk rows (~70 bytes each). */
export async function bulkPgDb(rows: number): Promise<ScratchDb> {
  const db = await createPgDb('clara_stress_bulk')
  const c = await openDb(db.url)
  await c.exec(`create table bulk (id bigint primary key, body text not null); insert into bulk select g, md5(g::text) || md5((g * 31)::text) from generate_series(1, ${rows}) g`)
  await c.close()
  return db
}

/**
 * Wait until pg_dump is connected to `dbName`, then end its backend with pg_terminate_backend from
 * another connection (what a DBA or a server shutdown does). Resolves true once it was terminated.
 */
export async function terminatePgDump(dbName: string, timeoutMs = 30_000): Promise<boolean> {
  const admin = await openDb(PG_ADMIN_URL)
  try {
    for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      const rows = await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = ? and application_name = 'pg_dump' and state = 'active'", [dbName])
      if (!rows.length) continue
      await admin.query('select pg_terminate_backend(?)', [rows[0].pid])
      return true
    }
    return false
  } finally {
    await admin.close()
  }
}
