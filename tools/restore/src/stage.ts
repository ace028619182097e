/**
 * A unit's target is unpacked into a stage beside it (`.<name>.clara-restore-<tag>.tmp`) and only
 * then put in place: a whole folder by one rename (replace), or file by file into a folder other
 * units share (merge: the audio shards, snapshots). A kill never leaves a half-written file
 * under a final name, and a replaced folder is either the old one or the new one.
 */
import { fitName } from '@clara/shared/names'
import { SafeTree } from '@clara/shared/safe-tree'
import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'
import { parentOf, targetBytes, targetPath } from './mapping.js'
import { partsOf } from './safe-member.js'

export type StageMode = 'replace' | 'merge' | 'file'

const SUFFIX = '.clara-restore-'

export class Stage {
  /** absolute path of the stage (a folder, or a file for mode `file`) */
  readonly abs: string
  /** the final path of the target (its exact bytes for a `b64:` target) */
  readonly dest: string | Buffer
  /** folder mtimes to set once the contents are in: [sub, seconds] */
  readonly dirTimes: [Buffer, number][] = []
  /** writes below a folder stage, never through a link (made by `prepare`) */
  tree: SafeTree | null = null

  constructor(readonly root: string, readonly target: string, readonly mode: StageMode, readonly tag: string) {
    this.dest = targetPath(root, target)
    // a name that is not UTF-8 shows lossy in its stage's name; the tag keeps stages apart
    const name = path.posix.basename(targetBytes(target).toString('utf8'))
    this.abs = target ? path.join(parentOf(this.dest), `.${fitName(name, 160)}${SUFFIX}${tag}.tmp`) : path.join(root, '.clara-restore', 'stage', tag)
  }

  /** The target's folder and the stage's, below the root: each a real folder (never a link), made where missing. */
  private parents(): Buffer[] {
    const parts = partsOf(targetBytes(this.target))
    const parent = this.target ? parts.slice(0, -1) : [Buffer.from('.clara-restore'), Buffer.from('stage')]
    // a fresh tree each time: an earlier unit may have put anything there since
    new SafeTree(this.root).dir(parent)
    return parts
  }

  /** Check the folders above the stage, clear an earlier attempt's leftovers, and make a folder stage. */
  prepare(): void {
    this.parents()
    this.sweep()
    if (this.mode === 'file') return
    fs.mkdirSync(this.abs, { mode: 0o755 })
    this.tree = new SafeTree(this.abs)
  }

  /** Open the stage's file (mode `file`) or a file below a folder stage: never through a link. Returns the fd. */
  open(parts: Buffer[], mode: number): number {
    if (this.tree) return this.tree.open(parts, mode)
    this.parents()
    return fs.openSync(this.abs, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, mode)
  }

  /** Where a member (path below the target, raw bytes) is written inside the stage. */
  at(sub: Buffer): Buffer {
    return sub.length ? Buffer.concat([Buffer.from(this.abs + '/'), sub]) : Buffer.from(this.abs)
  }

  /** Remove what an earlier, interrupted attempt left. */
  sweep(): void {
    fs.rmSync(this.abs, { recursive: true, force: true })
    if (this.target) fs.rmSync(this.abs.replace(/\.tmp$/, '.old'), { recursive: true, force: true })
  }

  /** Set the recorded folder mtimes below `base` (the stage, or the target after a merge), deepest first. */
  applyDirTimes(base: string | Buffer): void {
    const sorted = [...this.dirTimes].sort((a, b) => b[0].length - a[0].length)
    for (const [sub, t] of sorted) {
      const p = sub.length ? Buffer.concat([Buffer.from(base), Buffer.from('/'), sub]) : Buffer.from(base)
      try {
        // a folder only (never a link's target); lstat'ed where it is
        if (fs.lstatSync(p).isDirectory()) fs.utimesSync(p, t, t)
      } catch {
        // a folder a later member replaced: nothing to date
      }
    }
  }

  /**
   * Put the stage in place. `aside` moves a target that is not ours out of the way (null: ours,
   * drop it). Returns the paths below the target (latin1 text of their bytes) a merge left out:
   * a folder where an earlier unit restored a symlink (never written through), or a file or
   * link where an earlier unit restored a folder (never replaced by one).
   */
  commit(aside: string | Buffer | null): string[] {
    const parts = this.parents()
    if (this.mode === 'merge') return this.merge(parts)
    const old = this.abs.replace(/\.tmp$/, '.old')
    const had = fs.lstatSync(this.dest, { throwIfNoEntry: false }) !== undefined
    if (had && aside) {
      fs.rmSync(aside, { recursive: true, force: true })
      fs.mkdirSync(parentOf(aside), { recursive: true })
      fs.renameSync(this.dest, aside)
    } else if (had) {
      fs.renameSync(this.dest, old)
    }
    fs.renameSync(this.abs, this.dest)
    if (had && !aside) fs.rmSync(old, { recursive: true, force: true })
    return []
  }

  private merge(parts: Buffer[]): string[] {
    new SafeTree(this.root).dir(parts)
    const left: string[] = []
    moveInto(Buffer.from(this.abs), Buffer.from(this.dest), '', left)
    this.applyDirTimes(this.dest)
    fs.rmSync(this.abs, { recursive: true, force: true })
    return left
  }
}

/**
 * Move every entry of `from` into `to` (folders merged, new folders renamed whole, files and links
 * replaced); synchronous. Entries that would go through a symlink already there, or replace a
 * folder already there, stay out: their paths (below `rel`) are added to `left`.
 */
function moveInto(from: Buffer, to: Buffer, rel: string, left: string[]): void {
  for (const e of fs.readdirSync(from, { withFileTypes: true, encoding: 'buffer' })) {
    const src = Buffer.concat([from, Buffer.from('/'), e.name])
    const dst = Buffer.concat([to, Buffer.from('/'), e.name])
    const sub = (rel ? rel + '/' : '') + e.name.toString('latin1')
    const st = fs.lstatSync(dst, { throwIfNoEntry: false })
    if (e.isDirectory()) {
      if (st?.isSymbolicLink() || (st && !st.isDirectory() && !st.isFile())) left.push(sub)
      else if (!st || st.isFile()) {
        if (st) fs.rmSync(dst, { force: true })
        fs.renameSync(src, dst) // a folder no other shard has yet moves in one step
      } else moveInto(src, dst, sub, left)
    } else if (st?.isDirectory()) left.push(sub)
    else fs.renameSync(src, dst)
  }
}

export async function exists(p: string | Buffer): Promise<boolean> {
  return (await fsp.lstat(p).catch(() => null)) !== null
}
