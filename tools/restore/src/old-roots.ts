/**
 * Old C-LARA roots and the rewrite of paths that point into them (clara-facts §8.1, §2.1).
 * A root comes from the manifest, from `--from-root`, or is detected: a path holding a C-LARA
 * data folder has its root in front of that folder (`claraRoot`). Four styles are recognised
 * (`styleOf`; both in `@clara/clara-model`): POSIX absolute, Windows (`C:/…` and `C:\…`), the
 * literal `$CLARA/…`, and relative S3 keys (`audio/…`). Every one becomes an absolute POSIX
 * path under the new root (S3 keys too, as facts §8.9 recommends: a relative key only works
 * while the process CWD happens to be `$CLARA`).
 */
import { claraRoot } from '@clara/clara-model/data-folders'
import { CLARA_VAR, isWindowsPath, styleOf, type PathStyle } from '@clara/clara-model/path-styles'

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

const norm = (p: string) => p.replace(/\\/g, '/')
const trimSep = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p)

/** The old roots of one restore, and the rewrite into the new root. */
/** Which roots are the same one: a Windows root whatever its case, any other byte for byte. */
export function rootKey(r: { root: string; windows: boolean }): string {
  return r.windows ? r.root.toLowerCase() : r.root
}

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
    const windows = isWindowsPath(n)
    const key = rootKey({ root: n, windows })
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
    const r = claraRoot(n)
    if (r) this.add(r, 'detected')
  }

  /** A set with these roots and no rewrites counted yet (a unit worker's own, from the main thread's list). */
  static of(newRoot: string, infos: RootInfo[]): RootSet {
    const r = new RootSet(newRoot)
    for (const info of infos) for (const s of info.sources) r.add(info.root, s)
    return r
  }

  /** Take in what a fork found and counted: its roots (with their sources) and its rewrites. */
  merge(found: RootInfo[]): void {
    for (const f of found) {
      for (const s of f.sources) this.add(f.root, s)
      const info = this.roots.get(rootKey(f))
      if (info) info.rewritten += f.rewritten
    }
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
