/**
 * The set of backup runs under a BACKUP_ROOT: `<root>/<run-id>/` (run-id a UTC timestamp such as
 * `20261127T211500Z`), finished when its `manifest.json` exists (written last), pinned by a `keep`
 * file, and `<root>/latest` a relative symlink to the newest finished run. Layout only, no C-LARA.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'

const RUN_ID_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/
/** Prefix of a run being deleted (renamed first, so a crash never leaves half a run under its id). */
export const DELETING_PREFIX = '.deleting-'

/** The run id's time, or null when `name` is not a run id. */
export function parseRunId(name: string): Date | null {
  const m = RUN_ID_RE.exec(name)
  if (!m) return null
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number)
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  return t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? t : null
}

export function isRunId(name: string): boolean {
  return parseRunId(name) !== null
}

/** `2026-11-27T21:15:00.123Z` → `20261127T211500Z`. */
export function formatRunId(t: Date): string {
  return t.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')
}

export interface ManifestCounts {
  units?: number
  bytes?: number
  failures?: number
}

/** The fields of `manifest.json` this module reads; everything else is kept as it is. */
/** What a run was asked to cover: `full` false when --only, --skip or --domains left part of the install out. */
export interface RunSelection {
  only?: string[]
  skip?: string[]
  text_types?: string | null
  domains?: string[]
  full?: boolean
}

export interface RunManifest {
  version?: number
  run_id?: string
  status?: string
  selection?: RunSelection
  domains?: Record<string, ManifestCounts>
  totals?: ManifestCounts
  [key: string]: unknown
}

export interface RunEntry {
  id: string
  dir: string
  time: Date
  /** manifest.json exists (the run got to its end) */
  finished: boolean
  manifest: RunManifest | null
  /** set when manifest.json exists but cannot be read or parsed */
  manifestError?: string
  /** finished with failures, partial, or an unreadable manifest */
  failed: boolean
  /** every selected domain finished (status complete or partial: failed units allowed) */
  completed: boolean
  /** the run covers the whole install: no --only, --skip or --domains (see selectionLimit) */
  fullSelection: boolean
  /** a `keep` file pins the run */
  pinned: boolean
}

export interface RunSet {
  root: string
  /** oldest first */
  runs: RunEntry[]
  /** the run `latest` points to (its basename), or null */
  latest: string | null
  /** names of `.deleting-<id>` directories left by an interrupted delete */
  leftovers: string[]
  /** the domains of a whole-install run (usualDomains), for manifests without `selection.full` */
  usual?: string[] | null
}

/** Why a finished run counts as failed, or null when it is clean. */
export function manifestProblem(m: RunManifest): string | null {
  if (m.status !== 'complete') return `status ${m.status ?? 'missing'}`
  const perDomain = Object.values(m.domains ?? {}).reduce((n, d) => n + (d?.failures ?? 0), 0)
  const failures = Math.max(m.totals?.failures ?? 0, perDomain)
  return failures > 0 ? `${failures} failure(s)` : null
}

/** A finished run's status says every selected domain got to its end (failed units allowed). */
export function completedStatus(m: RunManifest): boolean {
  return m.status === 'complete' || m.status === 'partial'
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [])

/**
 * How a run's selection leaves part of the install out (`--only 37`, `--domains db,infra`), or null when
 * it covers all of it. A manifest written before `selection.full` existed is judged by its --only/--skip
 * and, given `usual` (the domains a whole-install run has: usualDomains), by its domains.
 */
export function selectionLimit(m: RunManifest, usual?: string[] | null): string | null {
  const s = m.selection ?? {}
  const parts: string[] = []
  if (list(s.only).length) parts.push(`--only ${list(s.only).join(',')}`)
  if (list(s.skip).length) parts.push(`--skip ${list(s.skip).join(',')}`)
  const missing = s.full === undefined && usual && Array.isArray(s.domains) && usual.some((d) => !list(s.domains).includes(d))
  if ((s.full === false || missing) && !parts.length) parts.push(`--domains ${list(s.domains).join(',')}`)
  return parts.length ? parts.join(' ') : null
}

/**
 * The domains a run of the whole install has, for manifests without `selection.full`: those every run
 * marked full lists; with none marked, those at least half of the runs without --only/--skip list.
 */
export function usualDomains(manifests: RunManifest[]): string[] | null {
  const marked = manifests.filter((m) => m.selection?.full === true).map((m) => list(m.selection?.domains))
  if (marked.length) return marked.reduce((a, b) => a.filter((d) => b.includes(d)))
  const legacy = manifests.filter((m) => Array.isArray(m.selection?.domains) && !list(m.selection?.only).length && !list(m.selection?.skip).length)
  if (!legacy.length) return null
  const count = new Map<string, number>()
  for (const m of legacy) for (const d of new Set(list(m.selection?.domains))) count.set(d, (count.get(d) ?? 0) + 1)
  return [...count].filter(([, n]) => n * 2 >= legacy.length).map(([d]) => d)
}

async function exists(p: string): Promise<boolean> {
  return fsp.lstat(p).then(
    () => true,
    () => false,
  )
}

/** Read one run directory. */
export async function readRun(root: string, id: string): Promise<RunEntry> {
  const dir = path.join(root, id)
  const time = parseRunId(id) ?? new Date(NaN)
  const pinned = await exists(path.join(dir, 'keep'))
  let text: string
  try {
    text = await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8')
  } catch (err) {
    const none = { id, dir, time, manifest: null, completed: false, fullSelection: false, pinned }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...none, finished: false, failed: false }
    return { ...none, finished: true, manifestError: (err as Error).message, failed: true }
  }
  try {
    const manifest = JSON.parse(text) as RunManifest
    if (!manifest || typeof manifest !== 'object') throw new Error('not a JSON object')
    const failed = manifestProblem(manifest) !== null
    return { id, dir, time, finished: true, manifest, failed, completed: completedStatus(manifest), fullSelection: selectionLimit(manifest) === null, pinned }
  } catch (err) {
    return { id, dir, time, finished: true, manifest: null, manifestError: `manifest.json: ${(err as Error).message}`, failed: true, completed: false, fullSelection: false, pinned }
  }
}

/** The basename `<root>/latest` points to, or null when it is missing or not a symlink. */
export async function readLatest(root: string): Promise<string | null> {
  try {
    return path.basename(await fsp.readlink(path.join(root, 'latest')))
  } catch {
    return null
  }
}

/** Every run directory under `root` (names that are run ids), oldest first. */
export async function listRuns(root: string): Promise<RunSet> {
  const ents = await fsp.readdir(root, { withFileTypes: true })
  const ids = ents.filter((e) => e.isDirectory() && isRunId(e.name)).map((e) => e.name)
  ids.sort()
  const leftovers = ents.filter((e) => e.isDirectory() && e.name.startsWith(DELETING_PREFIX)).map((e) => e.name).sort()
  const runs: RunEntry[] = []
  for (const id of ids) runs.push(await readRun(root, id))
  const usual = usualDomains(runs.flatMap((r) => (r.manifest ? [r.manifest] : [])))
  for (const r of runs) if (r.manifest && r.fullSelection) r.fullSelection = selectionLimit(r.manifest, usual) === null
  return { root, runs, latest: await readLatest(root), leftovers, usual }
}
