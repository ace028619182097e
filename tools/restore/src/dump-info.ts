/** The database dump of a run (clara-pgdump's db/index.json and `<stem>.db_metadata.json`). */
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import type { Engine } from '@clara/shared/db'
import { readJson } from '@clara/shared/read-json'

export interface DumpMeta {
  dump: string
  engine: Engine
  sha256: string
  size_bytes: number
  plaintext_sha256?: string
  django_migrations?: { apps?: Record<string, { name: string }> } | null
  tables?: Record<string, { rows: number; sha256: string; primary_key: string[] }>
  [k: string]: unknown
}

export interface DumpInfo {
  /** absolute path of the dump file */
  file: string
  /** run-relative path */
  path: string
  engine: Engine
  sha256: string
  meta: DumpMeta
}

interface DbIndex {
  entries: { name: string; path: string; sha256: string; engine: Engine; updated_at?: string; metadata: string }[]
}

/** The newest dump listed in `db/index.json`; null when the run has no db/ domain. */
export async function findDump(run: string): Promise<DumpInfo | null> {
  const index = await readJson<DbIndex>(path.join(run, 'db', 'index.json'))
  if (!index) return null
  const entries = [...(index.entries ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))
  const e = entries[entries.length - 1]
  if (!e) return null
  const meta = await readJson<DumpMeta>(path.join(run, e.metadata))
  if (!meta) throw new ClaraError(`db/: ${e.metadata} is missing: the dump ${e.name} is unfinished`, EXIT.FATAL, 'ENOMETA')
  if (e.path.endsWith('.age')) throw new ClaraError(`db/: ${e.name} is encrypted: pass --identity FILE`, EXIT.USAGE, 'EENCRYPTED')
  return { file: path.join(run, e.path), path: e.path, engine: meta.engine ?? e.engine, sha256: e.sha256, meta }
}

/** The backup's newest migration of an app (`django_migrations` head), if recorded. */
export function migrationHead(meta: DumpMeta, app: string): string | null {
  return meta.django_migrations?.apps?.[app]?.name ?? null
}
