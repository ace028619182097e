/** The NDJSON record types that flow between clara-* tools: one discriminated union on `type`. */

/** A place on disk that a project owns, and whether it exists. */
export interface Place {
  kind: string
  path: string
  exists: boolean
}

/** One C-LARA project row (clara-list-projects); `orphan` is the same shape for a directory no row owns. */
export interface ProjectRecord {
  type: 'project'
  id: number
  title: string
  internal_id: string
  l1: string
  l2: string
  [field: string]: unknown
}
export interface OrphanRecord {
  type: 'orphan'
  kind: string
  name: string
  path: string
  [field: string]: unknown
}

/**
 * What goes into an archive: either a directory (`dir`, its contents under `prefix`) or one file
 * (`file`, stored at archive path `path`). `restore_to` (relative to the install root) tells a
 * restore where these members go back to. A directory whose path is not valid UTF-8 cannot be a
 * JSON string: it comes as `dir_b64` (the absolute path's bytes) with `restore_to_b64` instead; a
 * file whose name is not UTF-8 likewise as `file_b64`, `path_b64` (the member name's bytes) and
 * `restore_to_b64`.
 */
export interface UnitSource {
  dir?: string
  dir_b64?: string
  prefix?: string
  file?: string
  file_b64?: string
  path?: string
  path_b64?: string
  /** glob patterns matched against the path relative to `dir` (a pattern without `/` matches any basename) */
  exclude?: string[]
  restore_to?: string
  restore_to_b64?: string
}

/** An entry whose bytes are given inline rather than read from disk. */
export interface InlineEntry {
  path: string
  json?: unknown
  text?: string
  mtime?: string
}

/** Rewrite of references inside text members; the lister says what, the archiver does it. */
export interface Rewrite {
  /** regex over archive paths of the members to rewrite (e.g. `\\.html$`) */
  files: string
  /** regex (flag g) over the member text; named groups feed the templates */
  pattern: string
  /** replacement text; `${name}` expands a named group */
  replace: string
  /** copy this file (template, absolute) into the archive at `to` (template, relative to the member's folder) */
  copy?: { from: string; to: string }
  /**
   * Resolve a matched value through a table: `table[<value of group>]` adds its fields as named
   * groups for `replace` and `copy`. A value the table lacks leaves the match unchanged and is
   * listed as unresolved with the reason `missing`.
   */
  lookup?: { group: string; table: Record<string, Record<string, string>>; missing: string }
  /** leave each match unchanged and report it (metadata `reported`, a warning record) with this reason */
  report?: string
}

/** One archive of a unit: `<dest>/<domain>/<unit>/<name>.zip`. */
export interface ArchiveSpec {
  name: string
  sources: UnitSource[]
  entries?: InlineEntry[]
  rewrites?: Rewrite[]
}

/** A job for clara-zip-unit: one unit of one domain, one or more archives, one metadata.json. */
export interface UnitRecord {
  type: 'unit'
  domain: string
  unit: string
  archives: ArchiveSpec[]
  /** extra fields merged into metadata.json (ids, titles, owner, DB rows …) */
  metadata?: Record<string, unknown>
  /** extra fingerprint input for incremental runs (e.g. a sha256 of the unit's DB rows) */
  fingerprint_extra?: string
  /** the unit holds secrets: encrypt it when encryption is on */
  secret?: boolean
  [field: string]: unknown
}

/** One file to archive (clara-shard input). */
export interface FileRecord {
  type: 'file'
  root: string
  path: string
  path_b64?: string
  size?: number
  mtime?: string
}

/** An artifact written (or planned, or reused) under `--dest`. */
export interface ArtifactRecord {
  type: 'artifact'
  domain: string
  unit: string
  path: string
  size_bytes: number
  sha256: string
  files?: number
  updated_at?: string
  planned?: boolean
  reused?: boolean
  [field: string]: unknown
}

/** A per-item failure: the run goes on, the exit becomes 1. */
export interface ErrorRecord {
  type: 'error'
  during: string
  item: string
  message: string
  code?: string
  domain?: string
  unit?: string
  [field: string]: unknown
}

/** Something skipped on purpose (socket, FIFO, device) or noteworthy. */
export interface WarningRecord {
  type: 'warning'
  during: string
  item: string
  message: string
  domain?: string
  unit?: string
  [field: string]: unknown
}

/**
 * A unit deliberately left out of the backup: a secret unit (`secret: true`) when the run does not
 * encrypt. clara-index lists it in the domain's index.json (`not_stored`); clara-restore reports it
 * as to be provided by hand, at `restore_to` (paths relative to the C-LARA root).
 */
export interface NotStoredRecord {
  type: 'not_stored'
  domain: string
  unit: string
  reason: string
  restore_to: string[]
  [field: string]: unknown
}

/** A check's outcome (clara-verify). */
export interface VerdictRecord {
  type: 'verdict'
  check: string
  item: string
  ok: boolean
  message?: string
  [field: string]: unknown
}

export interface SummaryRecord {
  type: 'summary'
  tool: string
  ok: number
  failed: number
  bytes: number
  [field: string]: unknown
}

/** Closes every stream: `count` is the number of records since the previous `end`. */
export interface EndRecord {
  type: 'end'
  count: number
}

/** Any other record type passes through tools untouched. */
export interface OtherRecord {
  type: string
  [field: string]: unknown
}

export type Known =
  | ProjectRecord
  | OrphanRecord
  | UnitRecord
  | FileRecord
  | ArtifactRecord
  | ErrorRecord
  | WarningRecord
  | NotStoredRecord
  | VerdictRecord
  | SummaryRecord
  | EndRecord

export type ClaraRecord = Known | OtherRecord

/** Build an error record from a thrown value. */
export function errorRecord(during: string, item: string, err: unknown, extra: Partial<ErrorRecord> = {}): ErrorRecord {
  const e = err as NodeJS.ErrnoException
  const rec: ErrorRecord = { type: 'error', during, item, message: e?.message ?? String(err), ...extra }
  if (e?.code) rec.code = e.code
  return rec
}

export function isType<T extends Known['type']>(rec: ClaraRecord, t: T): rec is Extract<Known, { type: T }> {
  return rec.type === t
}
