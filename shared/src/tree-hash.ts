/**
 * A digest of a whole directory tree: every entry's path, kind, mode, mtime, size and content
 * sha256, in walk order. Two trees with equal digests are byte- and mtime-identical.
 */
import { createHash } from 'node:crypto'
import { hashFile } from './hash.js'
import { type WalkOptions, walkTree } from './walk.js'

export interface TreeDigest {
  entries: number
  sha256: string
  /** one line per entry: `kind mode mtime_ms size sha256 path` (tab-separated), for diffs */
  lines: string[]
}

/** Digest the tree under `root`; `exclude` leaves entries out (e.g. a database file compared separately). */
export async function treeDigest(root: string, opts: Pick<WalkOptions, 'exclude'> & { mtimes?: boolean } = {}): Promise<TreeDigest> {
  const lines: string[] = []
  for await (const e of walkTree(root, { exclude: opts.exclude })) {
    const kind = e.special ?? e.kind
    const sum = e.kind === 'file' ? (await hashFile(e.abs)).sha256 : e.kind === 'symlink' ? `-> ${e.target_b64 !== undefined ? `b64:${e.target_b64}` : e.target}` : '-'
    const mtime = opts.mtimes === false || e.kind === 'symlink' ? '-' : String(Math.floor(e.mtimeMs))
    lines.push([kind, e.mode.toString(8), mtime, String(e.size), sum, e.path_b64 ? `b64:${e.path_b64}` : e.rel].join('\t'))
  }
  return { entries: lines.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex'), lines }
}
