/**
 * Incremental runs: an archive whose fingerprint (member list + settings) matches one already
 * written — in this run directory (a rerun) or in `--link-dest` (the previous run) — is hard-linked
 * instead of rewritten. Every link is staged under a temp name before any is renamed into place,
 * so renumbered shards never overwrite a source that is still to be linked.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { tempNameFor } from '@clara/shared/atomic'
import { hashFile } from '@clara/shared/hash'
import { readJson } from '@clara/shared/read-json'
import type { IndexDoc, ShardEntry } from './index-doc.js'

export interface Candidate {
  entry: ShardEntry
  /** the domain directory it lives in */
  dir: string
}

/** Fingerprint → archive, from the index.json files of the given domain directories (earlier wins). */
export async function loadCandidates(dirs: string[]): Promise<Map<string, Candidate>> {
  const map = new Map<string, Candidate>()
  for (const dir of dirs) {
    const doc = await readJson<IndexDoc>(path.join(dir, 'index.json')).catch(() => null)
    for (const entry of doc?.shards ?? []) {
      if (entry.fingerprint && !map.has(entry.fingerprint)) map.set(entry.fingerprint, { entry, dir })
    }
  }
  return map
}

export interface Staged {
  tmp: string
  final: string
}

/** Hard-link a candidate's archive and listing to temp names beside their final paths; null if it cannot be used (missing, other size, or with `rehash` another sha256). */
export async function stageLinks(c: Candidate, archive: string, members: string, rehash = false): Promise<Staged[] | null> {
  const src = path.join(c.dir, c.entry.path)
  const srcM = path.join(c.dir, c.entry.members_path)
  const [st, stM] = await Promise.all([fsp.stat(src).catch(() => null), fsp.stat(srcM).catch(() => null)])
  if (!st?.isFile() || st.size !== c.entry.size_bytes || !stM?.isFile()) return null
  if (rehash && ((await hashFile(src)).sha256 !== c.entry.sha256 || (await hashFile(srcM)).sha256 !== c.entry.members_sha256)) return null
  const staged: Staged[] = []
  try {
    for (const [from, to] of [[src, archive], [srcM, members]]) {
      if (path.resolve(from) === path.resolve(to)) continue // reused in place (a rerun)
      await fsp.mkdir(path.dirname(to), { recursive: true })
      const tmp = tempNameFor(to)
      await fsp.link(from, tmp)
      staged.push({ tmp, final: to })
    }
    return staged
  } catch {
    await unstage(staged)
    return null
  }
}

export async function commitStaged(staged: Staged[]): Promise<void> {
  for (const s of staged) {
    await fsp.rename(s.tmp, s.final)
    await fsp.unlink(s.tmp).catch(() => {}) // rename is a no-op when both names are the same file
  }
}

export async function unstage(staged: Staged[]): Promise<void> {
  for (const s of staged) await fsp.unlink(s.tmp).catch(() => {})
}
