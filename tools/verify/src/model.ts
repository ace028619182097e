/** What the domain readers find in a run: units, their artifacts, and what was recorded about them. */
import path from 'node:path'

export type ArtifactKind = 'zip' | 'tar' | 'tgz' | 'pgdump' | 'sqlite' | 'sql' | 'file'

/** A member as recorded (keyed by memberKey of its name's bytes). */
export interface MemberExpect {
  /** its name, readable (readableName) */
  name: string
  size: number
  sha256?: string
  kind?: string
  /** a symlink's recorded target, exact bytes */
  target?: Buffer
}

export interface Artifact {
  domain: string
  unit: string
  /** POSIX, relative to the run directory */
  rel: string
  abs: string
  /** size and sha256 the index recorded (of the stored bytes) */
  size: number
  sha256: string
  kind: ArtifactKind
  /** stored encrypted (`.age`): bytes are checked, contents cannot be read */
  encrypted: boolean
  /** recorded member digests, by memberKey of the member path's bytes */
  members?: Map<string, MemberExpect>
  /** where `members` came from (for messages) */
  membersFrom?: string
  /** recorded count of file (and symlink) members */
  files?: number
}

export interface Unit {
  domain: string
  name: string
  /** `<domain>/<unit>` */
  item: string
  artifacts: Artifact[]
  /** structure and data problems, gathered until the unit's verdict is written */
  problems: string[]
  /** the unit's metadata document, when it has one */
  meta?: any
  orphan?: boolean
}

export function newUnit(domain: string, name: string, meta?: any): Unit {
  return { domain, name, item: `${domain}/${name}`, artifacts: [], problems: [], meta, orphan: meta?.orphan === true || name.startsWith('orphan-') }
}

/** The archive kind from a file name (`.age` stripped). */
export function kindOf(name: string): ArtifactKind {
  const n = name.replace(/\.age$/, '')
  if (n.endsWith('.zip')) return 'zip'
  if (n.endsWith('.tar')) return 'tar'
  if (n.endsWith('.tgz') || n.endsWith('.tar.gz')) return 'tgz'
  if (n.endsWith('.dump')) return 'pgdump'
  if (n.endsWith('.sqlite3') || n.endsWith('.db') || n.endsWith('.sqlite')) return 'sqlite'
  if (n.endsWith('.sql')) return 'sql'
  return 'file'
}

const posix = (p: string) => p.split(path.sep).join('/')

/**
 * A path from an index or metadata document, as run-relative POSIX. Producers record paths
 * relative to the run (`db/x.dump`) or to the domain directory (`archives/x.tar`); a path that
 * starts with the domain's own folder is read as run-relative.
 */
export function runRel(domain: string, p: string): string {
  const clean = posix(path.posix.normalize(String(p).replace(/\\/g, '/'))).replace(/^\.\//, '')
  return clean.startsWith(`${domain}/`) ? clean : `${domain}/${clean}`
}

/** Is `rel` (run-relative) a plain path inside the run? */
export function insideRun(rel: string): boolean {
  return !path.posix.isAbsolute(rel) && !rel.split('/').includes('..')
}
