/** audio_cache/orm_db/ (verdict `audio-db`): each copied SQLite file non-empty, intact, and with the row counts recorded. */
import { openDb } from '@clara/shared/db'
import { fileSize } from './disk.js'
import type { Unit } from './model.js'

export async function checkAudioDb(rel: string, abs: string, recorded: any): Promise<string[]> {
  const size = await fileSize(abs)
  if (size <= 0) return [size < 0 ? 'missing' : 'empty']
  let db
  try {
    db = await openDb(`sqlite://${abs}`, { readonly: true })
  } catch (err) {
    return [`not a readable SQLite database: ${(err as Error).message}`]
  }
  try {
    const res = (await db.query<{ integrity_check: string }>('pragma integrity_check')).map((r) => r.integrity_check).join('; ')
    const problems = res === 'ok' ? [] : [`integrity_check: ${res.slice(0, 300)}`]
    for (const [t, want] of Object.entries<any>(recorded?.tables ?? {})) {
      const [r] = await db.query<{ n: number }>(`select count(*) as n from ${db.ident(t)}`).catch(() => [{ n: -1 }])
      if (Number(r.n) !== Number(want?.rows)) problems.push(`${t}: ${r.n < 0 ? 'missing' : `${r.n} rows`}, ${want?.rows} recorded`)
    }
    return problems
  } catch (err) {
    return [`${rel}: ${(err as Error).message}`]
  } finally {
    await db.close()
  }
}

/** The orm_db unit's files, each with its db_metadata.json entry. */
export function audioDbFiles(unit: Unit): { rel: string; abs: string; encrypted: boolean; recorded: any }[] {
  const files: any[] = Array.isArray(unit.meta?.files) ? unit.meta.files : []
  return unit.artifacts.map((a) => ({ rel: a.rel, abs: a.abs, encrypted: a.encrypted, recorded: files.find((f) => a.rel.endsWith(`/${f?.stored_name ?? f?.name}`)) }))
}
