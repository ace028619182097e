/**
 * Writing below a folder without ever following a symlink. Each component of a path is checked
 * as it is reached (lstat: a real folder, or made here with mkdir, which never follows a link; one
 * that another thread made between the lstat and the mkdir is lstat'ed and judged like any other),
 * and files are opened with O_NOFOLLOW: a link, whatever made it (this archive, an earlier one, an
 * earlier unit), is never written through; the path is refused instead. Paths are given as their
 * components (exact bytes), never compared as text. Symlinks are only recorded by `link` and made
 * by `makeLinks`, after everything else, each where nothing stands yet and below real folders only.
 */
import fs from 'node:fs'

const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants
const SLASH = Buffer.from('/')

/** The path cannot be written without following a link or replacing what stands there. */
export class PathConflict extends Error {
  code = 'ECONFLICT'
}

const keyOf = (parts: Buffer[]) => Buffer.concat(parts.flatMap((p, i) => (i ? [SLASH, p] : [p]))).toString('latin1')
/** A key for messages (as UTF-8 text). */
const shown = (key: string) => Buffer.from(key, 'latin1').toString('utf8')

interface PendingLink {
  parts: Buffer[]
  target: Buffer
  mtime: number
  /** what to tell when it cannot be made */
  name: string
}

/** mkdir (never follows a link); false when something stood there already (EEXIST). */
function made(p: Buffer, mode: number): boolean {
  try {
    fs.mkdirSync(p, { mode })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

export class SafeTree {
  readonly root: Buffer
  /** folders checked or made so far (latin1 keys of their components) */
  private dirs = new Set<string>([''])
  private links: PendingLink[] = []

  constructor(root: string | Buffer) {
    this.root = Buffer.from(root)
  }

  /** The absolute path of `parts` below the root (raw bytes). */
  at(parts: Buffer[]): Buffer {
    return parts.length ? Buffer.concat([this.root, ...parts.flatMap((p) => [SLASH, p])]) : this.root
  }

  /** Make sure `parts` is a real folder below the root (made where missing, `mode` for new ones); returns its path. */
  dir(parts: Buffer[], mode = 0o755): Buffer {
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i)
      const key = keyOf(sub)
      if (this.dirs.has(key)) continue
      const p = this.at(sub)
      const st = fs.lstatSync(p, { throwIfNoEntry: false })
      // made here, unless another writer (a unit on another thread) made something there first: then judged as found
      if (!st && made(p, i === parts.length ? mode : 0o755)) {
        this.dirs.add(key)
        continue
      }
      const now = st ?? fs.lstatSync(p)
      if (now.isSymbolicLink()) throw new PathConflict(`${shown(key)} is a symlink: nothing is written through it`)
      if (!now.isDirectory()) throw new PathConflict(`${shown(key)} is a file, not a folder`)
      this.dirs.add(key)
    }
    return this.at(parts)
  }

  /** Open the file `parts` for writing (its folders made first); truncates a file there, never follows a link. Returns the fd. */
  open(parts: Buffer[], mode: number): number {
    this.dir(parts.slice(0, -1))
    const p = this.at(parts)
    try {
      return fs.openSync(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ELOOP') throw new PathConflict(`${shown(keyOf(parts))} is a symlink: nothing is written through it`)
      if (code === 'EISDIR') throw new PathConflict(`${shown(keyOf(parts))} is a folder, not a file`)
      throw err
    }
  }

  /** Hard-link the file `from` (written here before) at `parts`. */
  hardLink(from: Buffer[], parts: Buffer[]): void {
    this.dir(parts.slice(0, -1))
    const p = this.at(parts)
    const st = fs.lstatSync(p, { throwIfNoEntry: false })
    if (st && !st.isFile()) throw new PathConflict(`${shown(keyOf(parts))}: something other than a file stands there`)
    if (st) fs.unlinkSync(p)
    fs.linkSync(this.at(from), p)
  }

  /** Record a symlink, made by `makeLinks` once everything else is written. */
  link(parts: Buffer[], target: Buffer, mtime: number, name: string): void {
    this.links.push({ parts, target, mtime, name })
  }

  /**
   * Make the recorded symlinks, shallowest first, with their exact target bytes. A link whose
   * place is taken, or whose folder is not a real folder (a link made just before, a file), is
   * not made: returned with the reason.
   */
  makeLinks(): { name: string; key: string; reason: string }[] {
    const skipped: { name: string; key: string; reason: string }[] = []
    const made = new Set<string>()
    const order = [...this.links].sort((a, b) => a.parts.length - b.parts.length)
    this.links = []
    for (const l of order) {
      const key = keyOf(l.parts)
      try {
        if (l.target.length === 0 || l.target.includes(0)) throw new PathConflict(`${shown(key)}: a link target that is empty or holds a NUL byte`)
        if (made.has(key)) throw new PathConflict(`${shown(key)}: a symlink of the same name was made before`)
        this.dir(l.parts.slice(0, -1))
        const p = this.at(l.parts)
        if (fs.lstatSync(p, { throwIfNoEntry: false })) throw new PathConflict(`${shown(key)}: a file or folder of the unit stands there`)
        fs.symlinkSync(l.target, p)
        fs.lutimesSync(p, l.mtime, l.mtime)
        made.add(key)
      } catch (err) {
        if (!(err instanceof PathConflict)) throw err
        skipped.push({ name: l.name, key, reason: err.message })
      }
    }
    return skipped
  }
}
