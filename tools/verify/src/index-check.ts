/** A domain's index.json against the disk and against what each unit recorded about itself. */
import { indexList, readJson } from './json-file.js'
import { insideRun, runRel } from './model.js'

export interface IndexEntry {
  rel: string
  unit: string
  size: number
  sha256: string
  raw: any
}

export interface Recorded {
  size: number
  sha256: string
  unit: string
}

export interface IndexDoc {
  /** null when index.json is missing or unreadable (the problem is in `problems`) */
  entries: IndexEntry[] | null
  problems: string[]
}

const SHA = /^[0-9a-f]{64}$/

/** Read `<domain>/index.json`: its entries as run-relative paths, and what is malformed about it. */
export async function readIndex(runDir: string, domain: string): Promise<IndexDoc> {
  const r = await readJson(`${runDir}/${domain}/index.json`)
  if (!r.ok) return { entries: null, problems: [`${domain}/index.json ${r.message}`] }
  const list = indexList(r.doc)
  if (!list) return { entries: null, problems: [`${domain}/index.json has no list of entries`] }
  const problems: string[] = []
  const entries: IndexEntry[] = []
  const seen = new Set<string>()
  for (const [i, e] of list.entries()) {
    if (!e || typeof e.path !== 'string' || !e.path) {
      problems.push(`${domain}/index.json entry ${i}: no path`)
      continue
    }
    const rel = runRel(domain, e.path)
    if (!insideRun(rel)) problems.push(`${domain}/index.json: ${e.path} points outside the run`)
    else if (seen.has(rel)) problems.push(`${domain}/index.json lists ${rel} twice`)
    else if (!Number.isSafeInteger(e.size_bytes) || e.size_bytes < 0 || typeof e.sha256 !== 'string' || !SHA.test(e.sha256)) problems.push(`${domain}/index.json: ${rel} has no valid size_bytes and sha256`)
    else {
      seen.add(rel)
      entries.push({ rel, unit: String(e.unit ?? e.name ?? e.project_id ?? ''), size: e.size_bytes, sha256: e.sha256, raw: e })
    }
  }
  return { entries, problems }
}

/**
 * Cross-check: every index entry is on disk and agrees with the unit's own record; every
 * artifact on disk is in the index. `unfinished` names units without their metadata.
 */
export function crossCheck(entries: IndexEntry[], recorded: Map<string, Recorded>, onDisk: Set<string>, unfinished: Set<string> = new Set()): string[] {
  const problems: string[] = []
  const listed = new Set(entries.map((e) => e.rel))
  for (const e of entries) {
    const rec = recorded.get(e.rel)
    if (!onDisk.has(e.rel)) problems.push(`${e.rel}: listed in index.json but missing on disk`)
    else if (unfinished.has(e.unit) || unfinished.has(e.rel.split('/')[1])) problems.push(`${e.rel}: listed in index.json, but its unit is unfinished`)
    else if (!rec) problems.push(`${e.rel}: listed in index.json but no unit records it`)
    else {
      if (rec.size !== e.size) problems.push(`${e.rel}: index.json says ${e.size} bytes, the unit records ${rec.size}`)
      if (rec.sha256 !== e.sha256) problems.push(`${e.rel}: index.json sha256 differs from the unit's record`)
    }
  }
  for (const rel of [...onDisk].sort()) if (!listed.has(rel)) problems.push(`${rel}: on disk but not in index.json`)
  return problems
}
