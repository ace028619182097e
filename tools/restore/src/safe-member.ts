/**
 * Archive member safety: names that would leave the target (absolute, `..`, drive letters,
 * backslashes, NUL), links that point out of it, and paths that pass through a symlink the
 * same archive created. Any one of them refuses the whole unit.
 */
import path from 'node:path'
import { readableName } from '@clara/shared/names'

/** Why a member name is unsafe, or null. Works on the raw name bytes. */
export function unsafeName(name: Buffer | string): string | null {
  const b = typeof name === 'string' ? Buffer.from(name) : name
  if (b.length === 0) return 'empty name'
  if (b.includes(0)) return 'NUL byte in name'
  if (b.includes(0x5c)) return 'backslash in name'
  const s = b.toString('latin1')
  if (s.startsWith('/')) return 'absolute path'
  if (/^[A-Za-z]:/.test(s)) return 'drive letter'
  if (s.split('/').some((p) => p === '..')) return "'..' component"
  return null
}

/**
 * Why a link target is unsafe: absolute, or it resolves outside `within` (all paths relative to one
 * root, POSIX, given as latin1 text of their bytes: one character per byte, so bytes that are not
 * UTF-8 compare exactly). Messages show the target as readable text.
 */
export function unsafeLink(linkRel: string, target: string, within: string, hard = false): string | null {
  if (!target) return 'empty link target'
  if (target.includes('\0')) return 'NUL byte in link target'
  const shown = () => readableName(Buffer.from(target, 'latin1'))
  if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) return `link to an absolute path (${shown()})`
  const resolved = hard ? path.posix.normalize(target) : path.posix.normalize(path.posix.join(path.posix.dirname(linkRel), target))
  if (!isInside(resolved, within)) return `link points out of the target (${shown()})`
  return null
}

/** `rel` is `dir` or lies under it ('' or '.' = anywhere inside the root). */
export function isInside(rel: string, dir: string): boolean {
  const r = path.posix.normalize(rel)
  if (r === '..' || r.startsWith('../') || r.startsWith('/')) return false
  if (dir === '' || dir === '.') return true
  const d = path.posix.normalize(dir)
  return r === d || r.startsWith(d + '/')
}

/** Symlinks created so far in one unit: a later member must not pass through one. */
export class LinkGuard {
  private links = new Set<string>()

  add(rel: string): void {
    this.links.add(rel)
  }

  /** Why `rel` is unsafe: one of its ancestors (or itself) is a symlink from this archive. */
  through(rel: string): string | null {
    if (!this.links.size) return null
    const parts = rel.split('/')
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/')
      if (this.links.has(p)) return i === parts.length ? `replaces the symlink ${p}` : `passes through the symlink ${p}`
    }
    return null
  }
}

/** `rel` is one of `dirs` or lies under one (checks each ancestor: cheap for many dirs). */
export function underAny(rel: string, dirs: Set<string>): boolean {
  if (!dirs.size) return false
  if (dirs.has('')) return true
  const parts = path.posix.normalize(rel).split('/')
  for (let i = 1; i <= parts.length; i++) if (dirs.has(parts.slice(0, i).join('/'))) return true
  return false
}
