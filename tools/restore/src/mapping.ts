/**
 * An archive's restore mapping (metadata.json `archives[].restore`, written by clara-zip-unit):
 * `{prefix, to}` puts the members under `prefix` into the folder `to`; `{path, to}` puts the one
 * member `path` at `to` (the file itself, or the folder it goes into when the base names differ,
 * as clara-list-media writes it). Paths are relative to the install root; names are raw bytes.
 */
import path from 'node:path'

export type RestoreSpec = { prefix: string; to: string } | { path: string; to: string }

/** Where a restored member lands. */
export interface Placement {
  /** which spec (index) placed it */
  spec: number
  /** the spec's target, relative to the root: a folder (prefix specs) or a file (path specs) */
  target: string
  /** the member's path below `target` ('' = the target itself), raw bytes */
  sub: Buffer
}

/** Normalise a `to` (no leading `./`, no trailing `/`); throws on one that leaves the root. */
export function cleanTarget(to: string): string {
  const n = path.posix.normalize(to || '.').replace(/\/+$/, '')
  if (n.startsWith('/') || n === '..' || n.startsWith('../')) throw new Error(`restore target leaves the root: ${to}`)
  return n === '.' ? '' : n
}

/** The file a `{path, to}` spec writes. */
export function fileTarget(spec: { path: string; to: string }): string {
  const to = cleanTarget(spec.to)
  const base = path.posix.basename(spec.path)
  return path.posix.basename(to) === base ? to : to ? `${to}/${base}` : base
}

/** Place one member (name bytes, a trailing `/` for folders), or null when no spec takes it. */
export function place(specs: RestoreSpec[], name: Buffer): Placement | null {
  const bare = name[name.length - 1] === 0x2f ? name.subarray(0, -1) : name
  for (const [i, s] of specs.entries()) {
    if ('prefix' in s) {
      const pre = Buffer.from(s.prefix)
      const preBare = pre[pre.length - 1] === 0x2f ? pre.subarray(0, -1) : pre
      if (pre.length === 0) return { spec: i, target: cleanTarget(s.to), sub: Buffer.from(bare) }
      if (bare.equals(preBare)) return { spec: i, target: cleanTarget(s.to), sub: Buffer.alloc(0) }
      if (bare.subarray(0, pre.length).equals(pre) && pre[pre.length - 1] === 0x2f) {
        return { spec: i, target: cleanTarget(s.to), sub: Buffer.from(bare.subarray(pre.length)) }
      }
    } else if (bare.equals(Buffer.from(s.path))) {
      return { spec: i, target: fileTarget(s), sub: Buffer.alloc(0) }
    }
  }
  return null
}

/** The targets of a spec list (what a unit writes, relative to the root). */
export function targetsOf(specs: RestoreSpec[]): string[] {
  return specs.map((s) => ('prefix' in s ? cleanTarget(s.to) : fileTarget(s)))
}

/** The root-relative path of a placement, as text (for reports and JSON rules). */
export function relOf(p: Placement): string {
  const sub = p.sub.toString('utf8')
  return p.target && sub ? `${p.target}/${sub}` : p.target || sub
}
