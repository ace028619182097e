/**
 * The synchronous twin of `walkTree` (same entries, same order, same rules: symlinks never
 * followed, specials reported, never opened). On a warm cache a sync lstat costs a few µs against
 * tens of µs for a thread-pool round trip, which dominated small-file archiving (bench/zips.sh).
 * Meant for worker threads and batch tools, where blocking the event loop costs nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { entryOf, setTarget, type TreeEntry, type WalkOptions } from './walk.js'

const SLASH = Buffer.from('/')

/** Stat one path (lstat) into a TreeEntry, synchronously. */
export function statEntrySync(abs: Buffer, relBytes: Buffer): TreeEntry {
  const e = entryOf(fs.lstatSync(abs), abs, relBytes)
  if (e.kind === 'symlink') setTarget(e, fs.readlinkSync(abs, { encoding: 'buffer' }))
  return e
}

/** Yield every entry below `root` (not the root itself), depth-first, names in byte order. A Buffer root is taken as its exact bytes. */
export function* walkTreeSync(root: string | Buffer, opts: WalkOptions = {}): Generator<TreeEntry> {
  yield* walkDirSync(typeof root === 'string' ? Buffer.from(path.resolve(root)) : root, Buffer.alloc(0), opts)
}

function* walkDirSync(abs: Buffer, rel: Buffer, opts: WalkOptions): Generator<TreeEntry> {
  let names: Buffer[]
  try {
    names = fs.readdirSync(abs, { encoding: 'buffer' })
  } catch (err) {
    // a subdirectory that vanished after it was listed is gone, like a vanished file
    if (rel.length && (err as NodeJS.ErrnoException).code === 'ENOENT') return
    if (!opts.onError) throw err
    opts.onError(rel.toString('utf8'), err as NodeJS.ErrnoException)
    return
  }
  names.sort(Buffer.compare)
  for (const name of names) {
    const childAbs = Buffer.concat([abs, SLASH, name])
    const childRel = rel.length ? Buffer.concat([rel, SLASH, name]) : name
    let e: TreeEntry
    try {
      e = statEntrySync(childAbs, childRel)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue // vanished between readdir and lstat
      if (!opts.onError) throw err
      opts.onError(childRel.toString('utf8'), err as NodeJS.ErrnoException)
      continue
    }
    if (opts.exclude?.(e.rel, e.kind)) continue
    yield e
    if (e.kind === 'dir') yield* walkDirSync(childAbs, childRel, opts)
  }
}
