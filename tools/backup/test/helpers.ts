/**
 * Helpers for clara-backup's tests: the real fixture, real runs of scripts/backup_all.sh (the real
 * bins), and what a run directory holds, read independently of the tool's own code.
 */
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs'
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { repoRoot } from '@clara/shared/testkit'
import { binPath, childEnv, spawnTool, type SpawnOptions, type SpawnResult } from '@clara/shared/testkit-spawn'

export const REPO = repoRoot()
export const BACKUP_ALL = path.join(REPO, 'scripts/backup_all.sh')

export interface Fixture {
  dir: string
  clara: string
  db: string
  cleanup(): Promise<void>
}

/** The fixture (clara-fixture) in a fresh temp folder; `db` a PostgreSQL URL or SQLite by default. */
export async function makeFixture(tag: string, db?: string): Promise<Fixture> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `clara-backup-${tag}-`))
  const clara = path.join(dir, 'clara')
  const url = db ?? `sqlite://${clara}/db.sqlite3`
  const r = await spawnTool(binPath('clara-fixture'), ['--clara', clara, '--db', url, '--quiet'])
  if (r.code !== 0) throw new Error(`clara-fixture exited ${r.code}: ${r.stderr}`)
  return { dir, clara, db: url, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) }
}

export interface Backup extends SpawnResult {
  records: any[]
  /** the `run` record (the manifest), if any */
  run?: any
}

/** The environment of a run: no crontab on this host, nothing of the test runner. */
export function runEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return childEnv({ CLARA_CRONTAB: 'none', ...extra })
}

/** The arguments of a run of the fixture into `root` (its lock file beside it). */
export function backupArgs(f: Fixture, root: string, args: string[] = []): string[] {
  return ['--clara', f.clara, '--db', f.db, '--dest', root, '--lock-file', lockOf(root), ...args]
}

export const lockOf = (root: string) => path.join(path.dirname(root), `${path.basename(root)}.lock`)

/** `scripts/backup_all.sh --clara … --db … --dest ROOT --lock-file …` plus `args`, run to its end. */
export async function backup(f: Fixture, root: string, args: string[] = [], opts: SpawnOptions & { umask?: string } = {}): Promise<Backup> {
  const r = await spawnTool('bash', ['-c', `umask ${opts.umask ?? '022'}; exec "$0" "$@"`, BACKUP_ALL, ...backupArgs(f, root, args)], { env: runEnv(), ...opts })
  const records = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
  return { ...r, records, run: records.find((x) => x.type === 'run') }
}

/** The run `root/latest` points at, or null. */
export function latest(root: string): string | null {
  try {
    return path.join(root, readlinkSync(path.join(root, 'latest')))
  } catch {
    return null
  }
}

export const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'))

/** Every file of a run (relative path → stat), symlinks and folders left out. */
export function files(dir: string, rel = ''): Map<string, Stats> {
  const out = new Map<string, Stats>()
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = path.join(rel, name)
    const st = lstatSync(path.join(dir, r))
    if (st.isDirectory()) for (const [k, v] of files(dir, r)) out.set(k, v)
    else if (st.isFile()) out.set(r, st)
  }
  return out
}

/** Every folder of a run, the run itself included (relative path → mode). */
export function dirModes(dir: string, rel = ''): Map<string, number> {
  const out = new Map<string, number>([[rel || '.', lstatSync(path.join(dir, rel)).mode & 0o7777]])
  for (const name of readdirSync(path.join(dir, rel))) {
    const r = path.join(rel, name)
    if (lstatSync(path.join(dir, r)).isDirectory()) for (const [k, v] of dirModes(dir, r)) out.set(k, v)
  }
  return out
}

export interface Entry {
  domain: string
  unit: string
  path: string
  file: string
  size_bytes: number
  sha256: string
}

/** The domain folders of a run that have an index.json. */
export function domainsOf(run: string): string[] {
  return readdirSync(run).filter((d) => existsSync(path.join(run, d, 'index.json'))).sort()
}

/** Every index entry of every domain of a run, with the file it names (domain- or run-relative). */
export function entries(run: string): Entry[] {
  const out: Entry[] = []
  for (const domain of domainsOf(run)) {
    const doc = readJson(path.join(run, domain, 'index.json'))
    const list: any[] = doc.entries ?? doc.shards ?? []
    for (const e of list) {
      const inDomain = path.join(run, domain, e.path)
      const file = existsSync(inDomain) ? inDomain : path.join(run, e.path)
      out.push({ domain, unit: String(e.unit ?? e.project_id ?? e.name), path: e.path, file, size_bytes: e.size_bytes, sha256: e.sha256 })
    }
  }
  return out
}

/** Per domain: distinct units, summed bytes (from the indexes) and failures (from failures.json). */
export function indexSums(run: string): Record<string, { units: number; bytes: number; failures: number }> {
  const out: Record<string, { units: number; bytes: number; failures: number }> = {}
  for (const domain of domainsOf(run)) {
    const es = entries(run).filter((e) => e.domain === domain)
    const fj = path.join(run, domain, 'failures.json')
    const failures = existsSync(fj) ? readJson(fj).failures.length : 0
    out[domain] = { units: new Set(es.map((e) => e.unit)).size, bytes: es.reduce((n, e) => n + e.size_bytes, 0), failures }
  }
  return out
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

/** Inode of every archive an index names (zips, shards, dumps), by `domain/unit/basename`. */
export function artifactInodes(run: string): Map<string, number> {
  return new Map(entries(run).map((e) => [`${e.domain}/${e.unit}/${path.basename(e.path)}`, lstatSync(e.file).ino]))
}

/** Wait until `pred` holds (polling), or fail after `ms`. */
export async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The processes of a process group, with their state letter (from /proc/<pid>/stat). */
function groupStates(pgid: number): string[] {
  const out: string[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    // after the command name in parentheses: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(pgrp) === pgid) out.push(state)
  }
  return out
}

/**
 * Step a process group until `pred` holds while every process of it is stopped (SIGSTOP, then a check of
 * the stopped state, then SIGCONT for the next step), and leave it stopped there: what `pred` saw is what
 * a SIGKILL then finds, however loaded the machine. Fails after `ms` (a hang guard).
 */
export async function freezeWhen(pgid: number, pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    process.kill(-pgid, 'SIGSTOP')
    await waitFor(() => groupStates(pgid).every((st) => st === 'T' || st === 't' || st === 'Z' || st === 'X'), ms, 'the process group to stop')
    if (pred()) return
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    process.kill(-pgid, 'SIGCONT')
    await new Promise((r) => setTimeout(r, 5))
  }
}
