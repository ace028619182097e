/** A restored SQLite file must pass `PRAGMA integrity_check` before it is put in place. */
import { ClaraError, EXIT } from '@clara/shared/cli'
import { openDb } from '@clara/shared/db'

export async function checkSqlite(file: string): Promise<void> {
  const db = await openDb(`sqlite://${file}`, { readonly: true })
  try {
    const r = await db.query<{ integrity_check: string }>('pragma integrity_check')
    const msg = r.map((x) => x.integrity_check).join('; ')
    if (msg !== 'ok') throw new ClaraError(`${file}: integrity_check: ${msg}`, EXIT.PARTIAL, 'EINTEGRITY')
  } finally {
    await db.close()
  }
}
