/**
 * Walk a tree without following symlinks: sorted entries, raw name bytes kept (non-UTF-8 names
 * get `path_b64`), special files (socket, FIFO, device) reported, never opened.
 */
import { isUtf8 as nativeIsUtf8 } from 'node:buffer'
import { promises as fsp, type Stats } from 'node:fs'
import path from 'node:path'

export type EntryKind = 'file' | 'dir' | 'symlink' | 'special'

export interface TreeEntry {
  /** path relative to the root, POSIX, UTF-8 (lossy for non-UTF-8 names) */
  rel: string
  /** the same path as raw bytes */
  relBytes: Buffer
  /** set when the name is not valid UTF-8 */
  path_b64?: string
  /** absolute path as raw bytes (use this to open the file) */
  abs: Buffer
  kind: EntryKind
  size: number
  mtimeMs: number
  mode: number
  /** symlink target as UTF-8 text (lossy when its bytes are not UTF-8) */
  target?: string
  /** the target's exact bytes (base64), only when they are not valid UTF-8 */
  target_b64?: string
  /** for `special`: socket, fifo, char-device, block-device */
  special?: string
}

export interface WalkOptions {
  /** leave out an entry (and, for a directory, everything below it) */
  exclude?: (rel: string, kind: EntryKind) => boolean
  /** called when a directory cannot be read; the walk goes on */
  onError?: (rel: string, err: NodeJS.ErrnoException) => void
}

const SLASH = Buffer.from('/')
const STAT_BATCH = 64

/** Valid UTF-8 (native check: the same answer as a decode/encode round trip, without the copies). */
export function isUtf8(b: Buffer): boolean {
  return nativeIsUtf8(b)
}

function kindOf(st: Stats): { kind: EntryKind; special?: string } {
  if (st.isFile()) return { kind: 'file' }
  if (st.isDirectory()) return { kind: 'dir' }
  if (st.isSymbolicLink()) return { kind: 'symlink' }
  if (st.isSocket()) return { kind: 'special', special: 'socket' }
  if (st.isFIFO()) return { kind: 'special', special: 'fifo' }
  if (st.isCharacterDevice()) return { kind: 'special', special: 'char-device' }
  return { kind: 'special', special: 'block-device' }
}

/** The TreeEntry of an lstat result (a symlink's `target` is the caller's to read). */
export function entryOf(st: Stats, abs: Buffer, relBytes: Buffer): TreeEntry {
  const k = kindOf(st)
  const e: TreeEntry = {
    rel: relBytes.toString('utf8'),
    relBytes,
    abs,
    kind: k.kind,
    size: k.kind === 'file' ? st.size : 0,
    mtimeMs: st.mtimeMs,
    mode: st.mode & 0o7777,
  }
  if (k.special) e.special = k.special
  if (!isUtf8(relBytes)) e.path_b64 = relBytes.toString('base64')
  return e
}

/** Set a symlink entry's `target` (and `target_b64` when the bytes are not UTF-8). */
export function setTarget(e: TreeEntry, bytes: Buffer): void {
  e.target = bytes.toString('utf8')
  if (!isUtf8(bytes)) e.target_b64 = bytes.toString('base64')
}

/** Stat one path (lstat: links are not followed) into a TreeEntry. */
export async function statEntry(abs: Buffer, relBytes: Buffer): Promise<TreeEntry> {
  const e = entryOf(await fsp.lstat(abs), abs, relBytes)
  if (e.kind === 'symlink') setTarget(e, await fsp.readlink(abs, { encoding: 'buffer' }))
  return e
}

/** Yield every entry below `root` (not the root itself), depth-first, names in byte order. */
export async function* walkTree(root: string, opts: WalkOptions = {}): AsyncGenerator<TreeEntry> {
  const rootBytes = Buffer.from(path.resolve(root))
  yield* walkDir(rootBytes, Buffer.alloc(0), opts)
}

async function* walkDir(abs: Buffer, rel: Buffer, opts: WalkOptions): AsyncGenerator<TreeEntry> {
  let names: Buffer[]
  try {
    names = (await fsp.readdir(abs, { encoding: 'buffer' })) as Buffer[]
  } catch (err) {
    // a subdirectory that vanished after it was listed is gone, like a vanished file
    if (rel.length && (err as NodeJS.ErrnoException).code === 'ENOENT') return
    if (opts.onError) {
      opts.onError(rel.toString('utf8'), err as NodeJS.ErrnoException)
      return
    }
    throw err
  }
  names.sort(Buffer.compare)
  // lstat up to STAT_BATCH names at once (several calls in flight are much faster than one at a
  // time, warm or cold); the entries are still handled in name order
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    const batch = names.slice(i, i + STAT_BATCH).map((name) => ({ abs: Buffer.concat([abs, SLASH, name]), rel: rel.length ? Buffer.concat([rel, SLASH, name]) : name }))
    const stats = await Promise.allSettled(batch.map((c) => statEntry(c.abs, c.rel)))
    for (const [j, s] of stats.entries()) {
      if (s.status === 'rejected') {
        const err = s.reason as NodeJS.ErrnoException
        if (err.code === 'ENOENT') continue // vanished between readdir and lstat
        if (opts.onError) {
          opts.onError(batch[j].rel.toString('utf8'), err)
          continue
        }
        throw err
      }
      const e = s.value
      if (opts.exclude?.(e.rel, e.kind)) continue
      yield e
      if (e.kind === 'dir') yield* walkDir(e.abs, e.relBytes, opts)
    }
  }
}

/** A tiny glob: `*` within a segment, `**` across segments, matched against the whole relative path or its basename when the pattern has no `/`. */
export function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*'
      i++
      if (glob[i + 1] === '/') i++
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(glob.includes('/') ? `^${re}$` : `(^|/)${re}$`)
}

/** Build an exclude function from glob patterns. */
export function excluder(patterns: string[] = []): (rel: string) => boolean {
  const res = patterns.map(globToRegExp)
  return (rel) => res.some((r) => r.test(rel))
}
