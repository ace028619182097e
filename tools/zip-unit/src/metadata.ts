/** metadata.json beside a unit's archives: what they hold, how to restore them, and what went wrong. */
import type { ArchiveSpec, UnitRecord } from '@clara/shared/records'
import { display, type Collected } from './collect.js'
import type { CopiedMember, Reported, Rewritten, Unresolved } from './scan.js'
import type { MemberSum } from './write-archive.js'
import { TOOLKIT_VERSION } from './options.js'

export interface ArchiveInfo {
  name: string
  /** relative to the run directory, like artifact records */
  path: string
  size_bytes: number
  sha256: string
  files: number
  /** `to_b64`, `path_b64`: the target's or member's bytes when they are not UTF-8 (`to`, `path` are then their lossy text) */
  restore: ({ prefix: string; to: string; to_b64?: string } | { path: string; path_b64?: string; to: string; to_b64?: string })[]
}

export interface UnitMetadata {
  version: 1
  domain: string
  unit: string
  archives: ArchiveInfo[]
  size_bytes: number
  sha256?: string
  file_count: number
  created_at: string
  toolkit_version: string
  fingerprint: string
  symlinks: (Collected['symlinks'][number] & { archive: string })[]
  skipped: (Collected['skipped'][number] & { archive: string })[]
  rewritten: Rewritten[]
  unresolved: Unresolved[]
  /** matches of `report` rewrites, left as they were (absent in older metadata) */
  reported?: Reported[]
  /** members that rewrites copied in, with the source path each reference named (lets --link-dest skip the rewrite scan; absent in older metadata) */
  copied?: (CopiedMember & { archive: string })[]
  members?: (MemberSum & { archive: string })[]
  [field: string]: unknown
}

/**
 * Where each source goes back to on restore (only sources that say `restore_to` or
 * `restore_to_b64`). A byte target keeps a lossy `to` as well: readable, and a reader that knows
 * no `to_b64` still restores inside the root. A file's member name that is not UTF-8 likewise
 * comes as `path_b64` beside a lossy `path`.
 */
export function restoreMap(spec: ArchiveSpec): ArchiveInfo['restore'] {
  return (spec.sources ?? []).flatMap((s): ArchiveInfo['restore'] => {
    const isDir = s.dir !== undefined || s.dir_b64 !== undefined
    const to = s.restore_to_b64 !== undefined
      ? { to: display(Buffer.from(s.restore_to_b64, 'base64')), to_b64: s.restore_to_b64 }
      : s.restore_to !== undefined ? { to: s.restore_to } : null
    if (to === null) return []
    if (isDir) return [{ prefix: s.prefix ?? '', ...to }]
    return [{ ...(s.path_b64 !== undefined ? { path: display(Buffer.from(s.path_b64, 'base64')), path_b64: s.path_b64 } : { path: s.path ?? '' }), ...to }]
  })
}

export interface MetadataParts {
  archives: ArchiveInfo[]
  fingerprint: string
  symlinks: UnitMetadata['symlinks']
  skipped: UnitMetadata['skipped']
  rewritten: Rewritten[]
  unresolved: Unresolved[]
  reported: Reported[]
  copied: NonNullable<UnitMetadata['copied']>
  members?: UnitMetadata['members']
}

/** Build the document; the record's own metadata cannot override the tool's fields. */
export function buildMetadata(rec: UnitRecord, p: MetadataParts, now = new Date()): UnitMetadata {
  const { version: _v, domain: _d, unit: _u, ...extra } = rec.metadata ?? {}
  const doc: UnitMetadata = {
    version: 1,
    domain: rec.domain,
    unit: rec.unit,
    ...extra,
    archives: p.archives,
    size_bytes: p.archives.reduce((n, a) => n + a.size_bytes, 0),
    ...(p.archives.length === 1 ? { sha256: p.archives[0].sha256 } : {}),
    file_count: p.archives.reduce((n, a) => n + a.files, 0),
    created_at: now.toISOString(),
    toolkit_version: TOOLKIT_VERSION,
    fingerprint: p.fingerprint,
    symlinks: p.symlinks,
    skipped: p.skipped,
    rewritten: p.rewritten,
    unresolved: p.unresolved,
    reported: p.reported,
    copied: p.copied,
  }
  if (p.members) doc.members = p.members
  return doc
}
