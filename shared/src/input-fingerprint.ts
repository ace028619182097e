/**
 * A fingerprint of what a job reads, from stat data alone: for every entry under a list of roots
 * its path, kind, mode, size, inode, mtime and ctime. Any write to a file changes its mtime and
 * ctime (ctime cannot be set back), and adding, removing or renaming an entry changes its
 * directory's, so equal fingerprints mean nothing was changed between the two walks, except a
 * change made within the file system's timestamp granularity of the walk itself: `marginMs` lets
 * the caller refuse a walk that saw an entry changed just before it (git's "racily clean" rule).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'

export interface FingerprintRoot {
  path: string
  /** the whole tree below it (false: the entry alone) */
  walk: boolean
}

export interface InputFingerprint {
  sha256: string
  /** entries seen, roots included */
  entries: number
  /** the least time between an entry's latest change and the start of the walk that saw it (ms; negative: a time in the future) */
  marginMs: number
}

const SLASH = Buffer.from('/')

/** Walk one root (symlinks never followed) and digest what it holds. Unreadable directories throw. */
export function fingerprintRoot(root: FingerprintRoot): InputFingerprint {
  const started = Date.now()
  const h = createHash('sha256')
  let entries = 0
  let newestMs = 0
  const add = (rel: string, st: fs.Stats | null): void => {
    entries++
    if (!st) {
      h.update(`${rel}\tabsent\n`)
      return
    }
    newestMs = Math.max(newestMs, st.mtimeMs, st.ctimeMs)
    h.update(rel)
    h.update(`\t${st.mode}\t${st.size}\t${st.ino}\t${st.mtimeMs}\t${st.ctimeMs}\n`)
  }
  const walk = (dir: Buffer, depth: string): void => {
    const names = fs.readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)
    for (const name of names) {
      const abs = Buffer.concat([dir, SLASH, name])
      const st = lstat(abs)
      const rel = `${depth}/${name.toString('base64')}`
      add(rel, st)
      if (st?.isDirectory()) walk(abs, rel)
    }
  }
  const abs = Buffer.from(root.path)
  const st = lstat(abs)
  add(`${root.walk ? 'tree' : 'entry'}:${root.path}`, st)
  if (root.walk && st?.isDirectory()) walk(abs, '')
  return { sha256: h.digest('hex'), entries, marginMs: newestMs ? started - newestMs : Infinity }
}

/**
 * The fingerprint of several roots: of their digests, in order. `walked` memoises roots across calls:
 * a root walked earlier stands for a later caller as long as that walk came before the caller's reads
 * (a change in between shows as a difference in the next run's walk, never as a false "unchanged").
 */
export function fingerprintInputs(roots: FingerprintRoot[], walked = new Map<string, InputFingerprint>()): InputFingerprint {
  const h = createHash('sha256')
  let entries = 0
  let marginMs = Infinity
  for (const r of roots) {
    const key = `${r.walk}:${r.path}`
    let fp = walked.get(key)
    if (!fp) walked.set(key, (fp = fingerprintRoot(r)))
    h.update(`${fp.sha256}\n`)
    entries += fp.entries
    marginMs = Math.min(marginMs, fp.marginMs)
  }
  return { sha256: h.digest('hex'), entries, marginMs }
}

/** lstat, or null when the entry does not exist (a vanished entry is a change like any other). */
function lstat(p: Buffer): fs.Stats | null {
  try {
    return fs.lstatSync(p)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null
    throw err
  }
}
