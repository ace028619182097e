/**
 * Old C-LARA roots and the rewrite of paths that point into them (clara-facts §8.1, §2.1).
 * A root comes from the manifest, from `--from-root`, or is detected: a path holding a C-LARA
 * data folder has its root in front of that folder. Four styles are recognised: POSIX absolute,
 * Windows (`C:/…` and `C:\…`), the literal `$CLARA/…`, and relative S3 keys (`audio/…`). Every
 * one becomes an absolute POSIX path under the new root (S3 keys too, as facts §8.9 recommends:
 * a relative key only works while the process CWD happens to be `$CLARA`).
 */
import { DATA_FOLDERS } from './clara-paths.js'

export type PathStyle = 'posix' | 'windows_slash' | 'windows_backslash' | 'clara_var' | 's3_key'
export type RootSource = 'manifest' | 'from-root' | 'detected'

export interface Rewrite {
  value: string
  style: PathStyle
  /** the old root it pointed into (`$CLARA` or `''` for S3 keys) */
  root: string
}

export interface RootInfo {
  root: string
  windows: boolean
  sources: RootSource[]
  /** values rewritten out of it */
  rewritten: number
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const FOLDERS = DATA_FOLDERS.map(esc).join('|')
/** A data folder as a whole path component, anywhere in a `/`-separated path. */
const DATA_IN = new RegExp(`(?:^|/)(?:${FOLDERS})(?:/|$)`)
/** A relative key that starts with a data folder. */
const DATA_AT_START = new RegExp(`^(?:${FOLDERS})(?:/|$)`)
const CLARA_VAR = /^\$(?:CLARA|\{CLARA\})(?=[\\/]|$)/
const WINDOWS = /^[A-Za-z]:[\\/]/

const norm = (p: string) => p.replace(/\\/g, '/')
const trimSep = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p)

/** Which of the four styles a value is written in (null: relative and not a C-LARA key). */
export function styleOf(v: string): PathStyle | null {
  if (CLARA_VAR.test(v)) return 'clara_var'
  if (WINDOWS.test(v)) return v[2] === '/' ? 'windows_slash' : 'windows_backslash'
  if (v.startsWith('/')) return 'posix'
  return DATA_AT_START.test(norm(v)) ? 's3_key' : null
}

/** The root in front of the first data folder of an absolute `/`-separated path ('' when none). */
export function detectRoot(n: string): string {
  const m = DATA_IN.exec(n)
  if (!m) return ''
  return n.slice(0, m.index)
}

/** The old roots of one restore, and the rewrite into the new root. */
export class RootSet {
  private roots = new Map<string, RootInfo>()
  readonly newRoot: string

  constructor(newRoot: string) {
    this.newRoot = trimSep(newRoot)
  }

  /** Add a root (any style; trailing separators dropped). The new root itself is never an old one. */
  add(root: string, source: RootSource): void {
    const n = trimSep(norm(root))
    if (!n || n === '/' || n === this.newRoot) return
    const windows = WINDOWS.test(n)
    const key = windows ? n.toLowerCase() : n
    const info = this.roots.get(key) ?? { root: n, windows, sources: [], rewritten: 0 }
    if (!info.sources.includes(source)) info.sources.push(source)
    this.roots.set(key, info)
  }

  /** Look for a root in an absolute value (adds it when found). */
  detect(v: string): void {
    const st = styleOf(v)
    if (st !== 'posix' && st !== 'windows_slash' && st !== 'windows_backslash') return
    const n = norm(v)
    if (this.inNewRoot(n)) return
    const r = detectRoot(n)
    if (r) this.add(r, 'detected')
  }

  list(): RootInfo[] {
    return [...this.roots.values()].sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0))
  }

  /** The rewritten value, or null when the value does not point into an old root. */
  rewrite(v: unknown, count = true): Rewrite | null {
    if (typeof v !== 'string' || !v) return null
    const style = styleOf(v)
    if (!style) return null
    if (style === 'clara_var') return { value: this.newRoot + norm(v.replace(CLARA_VAR, '')), style, root: '$CLARA' }
    if (style === 's3_key') return { value: `${this.newRoot}/${norm(v)}`, style, root: '' }
    const n = norm(v)
    if (this.inNewRoot(n)) return null
    let info = this.match(n)
    if (!info) {
      this.detect(v)
      info = this.match(n)
    }
    if (!info) return null
    if (count) info.rewritten++
    const rest = style === 'posix' ? v.slice(info.root.length) : n.slice(info.root.length)
    return { value: this.newRoot + rest, style, root: info.root }
  }

  private inNewRoot(n: string): boolean {
    return n === this.newRoot || n.startsWith(this.newRoot + '/')
  }

  /** The longest known root that `n` is, or lies under. */
  private match(n: string): RootInfo | null {
    let best: RootInfo | null = null
    for (const info of this.roots.values()) {
      const a = info.windows ? n.toLowerCase() : n
      const r = info.windows ? info.root.toLowerCase() : info.root
      if ((a === r || a.startsWith(r + '/')) && (!best || r.length > best.root.length)) best = info
    }
    return best
  }
}
