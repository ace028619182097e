/**
 * An archive's restore mapping (metadata.json `archives[].restore`, written by clara-zip-unit):
 * `{prefix, to}` puts the members under `prefix` into the folder `to`; `{path, to}` puts the one
 * member `path` at `to` (the file itself, or the folder it goes into when the base names differ,
 * as clara-list-media writes it). Paths are relative to the install root; names are raw bytes.
 * A folder or file whose name is not UTF-8 (an orphan's, a stray file's) comes with `to_b64`, its
 * exact bytes (a file's member name with `path_b64` too): its target is then written
 * `b64:<base64>` (as markers write such paths), and only its last name may be other than UTF-8.
 */
import path from 'node:path'
import { fieldBytes } from '@clara/shared/names'
import { isUtf8 } from '@clara/shared/walk'

export type RestoreSpec = { prefix: string; to: string; to_b64?: string } | FileSpec
export type FileSpec = { path: string; path_b64?: string; to: string; to_b64?: string }

const B64 = 'b64:'

/** Where a restored member lands. */
export interface Placement {
  /** which spec (index) placed it */
  spec: number
  /** the spec's target, relative to the root: a folder (prefix specs) or a file (path specs); `b64:…` when not UTF-8 */
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

/**
 * The target of a path (bytes): its text, or `b64:` and its base64 when it is not UTF-8 (or its
 * text starts with `b64:` itself, so a text target can never pass for bytes).
 */
function targetOf(rel: Buffer): string {
  const text = rel.toString('utf8')
  if (isUtf8(rel) && !text.startsWith(B64)) return text
  const cut = rel.lastIndexOf(0x2f)
  if (cut > 0 && !isUtf8(rel.subarray(0, cut))) throw new Error(`restore target ${text}: a folder above its last name is not UTF-8`)
  return B64 + rel.toString('base64')
}

// latin1 maps each byte to one character and back: `/` and `.` stay themselves
const latin1 = (b64: string) => Buffer.from(b64, 'base64').toString('latin1')

/** A spec's target: `to` cleaned, or the bytes of `to_b64` cleaned the same way (a file spec's by fileTarget). */
function specTarget(s: RestoreSpec): string {
  if (!('prefix' in s)) {
    if (s.to_b64 === undefined && s.path_b64 === undefined) return targetOf(Buffer.from(fileTarget(s)))
    const bytes = { path: s.path_b64 === undefined ? Buffer.from(s.path).toString('latin1') : latin1(s.path_b64), to: s.to_b64 === undefined ? Buffer.from(s.to).toString('latin1') : latin1(s.to_b64) }
    return targetOf(Buffer.from(fileTarget(bytes), 'latin1'))
  }
  if (s.to_b64 === undefined) return targetOf(Buffer.from(cleanTarget(s.to)))
  return targetOf(Buffer.from(cleanTarget(latin1(s.to_b64)), 'latin1'))
}

/** A file spec's member name, as bytes. */
function memberBytes(s: FileSpec): Buffer {
  return fieldBytes(s.path, s.path_b64)
}

/** A target's path below the root, as bytes. */
export function targetBytes(target: string): Buffer {
  return target.startsWith(B64) ? Buffer.from(target.slice(B64.length), 'base64') : Buffer.from(target)
}

/** A target under `base` (the root, or where replaced targets are kept): text, or exact bytes for a `b64:` target. */
export function targetPath(base: string, target: string): string | Buffer {
  return target.startsWith(B64) ? Buffer.concat([Buffer.from(path.join(base, '/')), targetBytes(target)]) : path.join(base, target)
}

/** The folder holding a path from targetPath (a text path: only a target's last name may be bytes). */
export function parentOf(p: string | Buffer): string {
  return typeof p === 'string' ? path.dirname(p) : p.subarray(0, p.lastIndexOf(0x2f)).toString('utf8')
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
      if (pre.length === 0) return { spec: i, target: specTarget(s), sub: Buffer.from(bare) }
      if (bare.equals(preBare)) return { spec: i, target: specTarget(s), sub: Buffer.alloc(0) }
      if (bare.subarray(0, pre.length).equals(pre) && pre[pre.length - 1] === 0x2f) {
        return { spec: i, target: specTarget(s), sub: Buffer.from(bare.subarray(pre.length)) }
      }
    } else if (bare.equals(memberBytes(s))) {
      return { spec: i, target: specTarget(s), sub: Buffer.alloc(0) }
    }
  }
  return null
}

/** The targets of a spec list (what a unit writes, relative to the root). */
export function targetsOf(specs: RestoreSpec[]): string[] {
  return specs.map(specTarget)
}

/** The root-relative path of a placement (or of what was written there), as bytes. */
export function relBytes(p: Pick<Placement, 'target' | 'sub'>): Buffer {
  const t = targetBytes(p.target)
  return t.length && p.sub.length ? Buffer.concat([t, Buffer.from('/'), p.sub]) : t.length ? t : p.sub
}

/** The same as text (lossy for names that are not UTF-8): for reports and JSON rules. */
export function relOf(p: Pick<Placement, 'target' | 'sub'>): string {
  return relBytes(p).toString('utf8')
}
