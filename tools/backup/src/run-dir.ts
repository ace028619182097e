/** Run directories under BACKUP_ROOT: ids, creation, resume, and the atomic `latest` switch. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { fsyncDir, sweepTemps } from '@clara/shared/atomic'

/** A run id is the UTC start time, e.g. 20261127T211500Z. */
export function runId(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
}

export function isRunId(name: string): boolean {
  return /^\d{8}T\d{6}Z$/.test(name)
}

export async function hasManifest(dir: string): Promise<boolean> {
  return fsp.access(path.join(dir, 'manifest.json')).then(() => true, () => false)
}

export interface RunDir {
  id: string
  dir: string
  resumed: boolean
  /** a resumed run's manifest from its earlier end (it said which domains were incomplete), if it had one */
  earlier?: any
}

/** Create a new run directory (mode 750), or reopen one to resume. */
export async function openRunDir(root: string, resume: string | undefined, now = new Date()): Promise<RunDir> {
  if (resume) {
    const dir = path.join(root, resume)
    const st = await fsp.stat(dir).catch(() => null)
    if (!st?.isDirectory()) throw new ClaraError(`--resume ${resume}: no such run under ${root}`, EXIT.USAGE, 'EUSAGE')
    const file = path.join(dir, 'manifest.json')
    const earlier = await fsp.readFile(file, 'utf8').then((t) => JSON.parse(t), () => null)
    // A resumed run gets a fresh manifest at its end.
    await fsp.rm(file, { force: true })
    return { id: resume, dir, resumed: true, earlier }
  }
  await makeRoot(root).catch((err) => {
    throw destError(root, err)
  })
  let id = runId(now)
  // Two runs in the same second: wait for the next id rather than share a folder.
  while (await fsp.access(path.join(root, id)).then(() => true, () => false)) {
    await new Promise((r) => setTimeout(r, 250))
    id = runId(new Date())
  }
  const dir = path.join(root, id)
  await fsp.mkdir(dir, { mode: 0o750 }).catch((err) => {
    throw destError(root, err)
  })
  await fsyncDir(root)
  return { id, dir, resumed: false }
}

/** `mkdir -p` folder by folder: a recursive mkdir says ENOENT on a read-only filesystem, this says EROFS. */
async function makeRoot(root: string): Promise<void> {
  const missing: string[] = []
  for (let p = root; !(await fsp.lstat(p).then(() => true, () => false)); p = path.dirname(p)) missing.unshift(p)
  for (const d of missing) {
    await fsp.mkdir(d, { mode: 0o750 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    })
  }
}

/** BACKUP_ROOT cannot take a run: one line naming it and why (read-only, full, not a folder), exit 3. */
export function destError(root: string, err: NodeJS.ErrnoException): ClaraError {
  const why: Record<string, string> = {
    EROFS: 'it is on a read-only filesystem',
    EACCES: 'it is not writable by this user',
    EPERM: 'it is not writable by this user',
    ENOSPC: 'its filesystem is full',
    EDQUOT: 'the disk quota is exhausted',
    EEXIST: 'it (or a folder above it) is a file, not a folder',
    ENOTDIR: 'it (or a folder above it) is a file, not a folder',
  }
  const reason = why[err.code ?? ''] ?? err.message
  return new ClaraError(`cannot create a run folder in ${root} (--dest / BACKUP_ROOT): ${reason} (${err.code ?? 'error'})`, EXIT.FATAL, err.code)
}

/** The run `latest` points at, when it is a finished run other than `exclude`. */
export async function previousRun(root: string, exclude?: string): Promise<string | null> {
  const target = await fsp.readlink(path.join(root, 'latest')).catch(() => null)
  if (!target) return null
  const dir = path.resolve(root, target)
  if (exclude && path.resolve(exclude) === dir) return null
  return (await hasManifest(dir)) ? dir : null
}

/**
 * The run a run links unchanged units from: `latest`; but a rerun into an older run (latest is newer)
 * keeps the base its manifest names (incremental_from), or has none, so its counts of reused and new
 * bytes stay against an older run.
 */
export async function baseRun(root: string, run: RunDir): Promise<string | null> {
  const prev = await previousRun(root, run.dir)
  if (!prev || !run.resumed || path.basename(prev) < run.id) return prev
  const from = run.earlier?.incremental_from
  const dir = typeof from === 'string' && isRunId(from) && from < run.id ? path.join(root, from) : null
  return dir && (await hasManifest(dir)) ? dir : null
}

/** Point `latest` at `id` atomically: a new symlink under a temp name, renamed over the old one. */
export async function switchLatest(root: string, id: string): Promise<void> {
  const tmp = path.join(root, `.latest.${process.pid}.tmp`)
  await fsp.rm(tmp, { force: true })
  await fsp.symlink(id, tmp)
  await fsp.rename(tmp, path.join(root, 'latest'))
  await fsyncDir(root)
}

/** Remove the temp files an interrupted run left anywhere in its directory (their writers are gone). */
export async function sweepRunTemps(dir: string): Promise<number> {
  let n = await sweepTemps(dir)
  for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) n += await sweepRunTemps(path.join(dir, e.name))
  }
  return n
}
