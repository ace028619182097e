/**
 * Run as root, a restore leaves NEWCLARA owned by an ordinary user (C-LARA runs as one):
 * `--owner USER[:GROUP]` (names or numbers), by default the owner of NEWCLARA's parent folder.
 * Ownership is changed with lchown on every entry (a symlink itself, never what it points to).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'

/** A user or group name (or number) as its id, through `id` / `getent` (no name lookup in Node). */
function idOf(name: string, kind: 'user' | 'group'): number {
  if (/^\d+$/.test(name)) return Number(name)
  try {
    const out = kind === 'user' ? execFileSync('id', ['-u', '--', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) : execFileSync('getent', ['group', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[2]
    const n = Number(String(out).trim())
    if (Number.isInteger(n)) return n
  } catch {
    // fall through
  }
  throw new UsageError(`--owner: no such ${kind} ${JSON.stringify(name)}`)
}

/** `USER[:GROUP]` as ids; the group defaults to the user's primary group. */
export function parseOwner(spec: string): { uid: number; gid: number } {
  const [user, group] = spec.split(':')
  if (!user) throw new UsageError(`--owner ${JSON.stringify(spec)}: want USER[:GROUP]`)
  const uid = idOf(user, 'user')
  let gid: number
  if (group) gid = idOf(group, 'group')
  else if (/^\d+$/.test(user)) gid = uid
  else gid = Number(execFileSync('id', ['-g', '--', user], { encoding: 'utf8' }).trim())
  return { uid, gid }
}

function chownTree(dir: Buffer, uid: number, gid: number): void {
  fs.lchownSync(dir, uid, gid)
  for (const e of fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })) {
    const abs = Buffer.concat([dir, Buffer.from('/'), e.name])
    if (e.isDirectory()) chownTree(abs, uid, gid)
    else fs.lchownSync(abs, uid, gid)
  }
}

/** Run as root: who NEWCLARA goes to (`--owner`, or its parent's owner); null when not root. */
export function newOwner(root: string, owner: string | null): { uid: number; gid: number; from: string } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null
  if (owner) return { ...parseOwner(owner), from: `--owner ${owner}` }
  const st = fs.statSync(path.dirname(root))
  return { uid: st.uid, gid: st.gid, from: `the owner of ${path.dirname(root)}` }
}

/** Give `root` and (a folder) every entry below it (links themselves, never their targets) to `who`. */
export function ownTree(root: string, who: { uid: number; gid: number }): void {
  if (fs.lstatSync(root).isDirectory()) chownTree(Buffer.from(root), who.uid, who.gid)
  else fs.lchownSync(root, who.uid, who.gid)
}
