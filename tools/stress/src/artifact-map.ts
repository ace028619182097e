/** A run (or a tool's output folder) as `artifact → sha256`, unit by unit, to compare with an uninterrupted one. */
import { listedArtifacts } from './run-checks.js'

/** A dump's name carries its time: `db/clara_db_20250102_030405.sqlite3` → `db/clara_db_<ts>.sqlite3`. */
export function normalise(p: string): string {
  return p.replace(/clara_db_\d{8}_\d{6}/g, 'clara_db_<ts>')
}

export async function artifactMap(run: string, opts: { skipDumps?: boolean } = {}): Promise<Map<string, string>> {
  const m = new Map<string, string>()
  for (const l of await listedArtifacts(run)) {
    const key = normalise(l.path)
    if (opts.skipDumps && key.startsWith('db/')) continue
    m.set(key, l.sha256)
  }
  return m
}

/** Lines naming every artifact that is missing, extra or different in `got` against `want`. */
export function diffMaps(want: Map<string, string>, got: Map<string, string>, label = 'rerun'): string[] {
  const out: string[] = []
  for (const [k, v] of want) {
    if (!got.has(k)) out.push(`${k}: missing from the ${label}`)
    else if (got.get(k) !== v) out.push(`${k}: sha256 differs from the uninterrupted run`)
  }
  for (const k of got.keys()) if (!want.has(k)) out.push(`${k}: only in the ${label}`)
  return out
}
