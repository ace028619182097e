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
const END = Buffer.alloc(1)

/**
 * Walk one root (symlinks never followed) and digest what it holds: per entry, in name-byte order
 * and depth first, its name bytes and a fixed record of mode, size, inode, mtime and ctime (float64s,
 * no number-to-text conversions), a NUL after each folder's contents, a NUL record for an entry gone
 * between readdir and lstat. Unreadable directories throw. `now` (ms, default Date.now) is the clock
 * the walk's start is read from, for marginMs; tests pass their own.
 */
export function fingerprintRoot(root: FingerprintRoot, now: () => number = Date.now): InputFingerprint {
  const started = now()
  const h = createHash('sha256')
  const rec = Buffer.alloc(40)
  const nums = new Float64Array(rec.buffer, rec.byteOffset, 5)
  let entries = 0
  let newestMs = 0
  const add = (st: fs.Stats | undefined): void => {
    entries++
    if (!st) {
      h.update(END)
      return
    }
    newestMs = Math.max(newestMs, st.mtimeMs, st.ctimeMs)
    nums[0] = st.mode
    nums[1] = st.size
    nums[2] = st.ino
    nums[3] = st.mtimeMs
    nums[4] = st.ctimeMs
    h.update(rec)
  }
  const walk = (dir: Buffer): void => {
    for (const name of fs.readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const abs = Buffer.concat([dir, SLASH, name])
      const st = fs.lstatSync(abs, { throwIfNoEntry: false })
      h.update(name)
      add(st)
      if (st?.isDirectory()) walk(abs)
    }
    h.update(END)
  }
  const abs = Buffer.from(root.path)
  const st = fs.lstatSync(abs, { throwIfNoEntry: false })
  h.update(`${root.walk ? 'tree' : 'entry'}:${root.path}\n`)
  add(st)
  if (root.walk && st?.isDirectory()) walk(abs)
  return { sha256: h.digest('hex'), entries, marginMs: newestMs ? started - newestMs : Infinity }
}

/** The memo key of a root. */
export const rootKey = (r: FingerprintRoot): string => `${r.walk}:${r.path}`

/** The fingerprint of several roots: of their digests, in order. */
export function combineFingerprints(parts: InputFingerprint[]): InputFingerprint {
  const h = createHash('sha256')
  for (const fp of parts) h.update(`${fp.sha256}\n`)
  return { sha256: h.digest('hex'), entries: parts.reduce((n, fp) => n + fp.entries, 0), marginMs: Math.min(Infinity, ...parts.map((fp) => fp.marginMs)) }
}
