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
export interface RunManifest {
  version?: number
  run_id?: string
  status?: string
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
}

/** Why a finished run counts as failed, or null when it is clean. */
export function manifestProblem(m: RunManifest): string | null {
  if (m.status !== 'complete') return `status ${m.status ?? 'missing'}`
  const perDomain = Object.values(m.domains ?? {}).reduce((n, d) => n + (d?.failures ?? 0), 0)
  const failures = Math.max(m.totals?.failures ?? 0, perDomain)
  return failures > 0 ? `${failures} failure(s)` : null
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
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { id, dir, time, finished: false, manifest: null, failed: false, pinned }
    return { id, dir, time, finished: true, manifest: null, manifestError: (err as Error).message, failed: true, pinned }
  }
  try {
    const manifest = JSON.parse(text) as RunManifest
    if (!manifest || typeof manifest !== 'object') throw new Error('not a JSON object')
    return { id, dir, time, finished: true, manifest, failed: manifestProblem(manifest) !== null, pinned }
  } catch (err) {
    return { id, dir, time, finished: true, manifest: null, manifestError: `manifest.json: ${(err as Error).message}`, failed: true, pinned }
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
  return { root, runs, latest: await readLatest(root), leftovers }
}
