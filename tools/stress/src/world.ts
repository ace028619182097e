/**
 * What every trial starts from, built once per process: a C-LARA fixture install (SQLite), the
 * unit records of its listers, and an uninterrupted backup run (the reference every rerun must
 * equal, and the run restores start from).
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { bin, toolEnv } from './paths.js'
import { bash, runCmd, type Done } from './proc.js'

export interface World {
  work: string
  clara: string
  db: string
  /** a backup root holding one finished run, `latest` pointing at it */
  baseRoot: string
  /** that run's id */
  refRunId: string
  refRunExit: number
  /** how many records the reference clara-backup printed */
  refRunRecords: number
  /** run at the end (scratch databases to drop) */
  cleanups: (() => Promise<void>)[]
}

/** Fail loudly: a preparation step that does not work makes every trial meaningless. */
export function must(d: Done, what: string, ok: number[] = [0]): Done {
  if (d.code === null || !ok.includes(d.code)) throw new Error(`${what}: exit ${d.code ?? d.signal}${d.timedOut ? ' (timed out)' : ''}\n${d.stderr.slice(-2000)}`)
  return d
}

/**
 * What every clara-backup of the harness gets besides the tool environment: a racy window of 0, so
 * that whether a domain is reused whole depends on what changed, never on how long the machine took
 * between a change and the walk (on a busy machine that may pass clara-backup's 2 s or not).
 */
export const BACKUP_ENV = { CLARA_BACKUP_RACY_MS: '0' }

/** A backup of `clara` into `root` with clara-backup (the same flags a trial uses). */
export function backupCmd(w: Pick<World, 'clara' | 'db'>, root: string, lock: string, extra: string[] = []) {
  return { cmd: bin('clara-backup'), args: ['--clara', w.clara, '--db', w.db, '--dest', root, '--lock-file', lock, '--quiet', ...extra], env: toolEnv(BACKUP_ENV) }
}

export async function makeWorld(work: string, seed = 1): Promise<World> {
  await fsp.mkdir(work, { recursive: true })
  const clara = path.join(work, 'clara')
  must(await runCmd({ cmd: bin('clara-fixture'), args: ['--clara', clara, '--seed', String(seed), '--quiet'] }), 'clara-fixture')
  const db = `sqlite://${path.join(clara, 'db.sqlite3')}`
  // The reference run's fingerprints are reusable (BACKUP_ENV: no racy window), so incremental trials
  // reuse whole domains: kills then land in the linking too.
  const w: World = { work, clara, db, baseRoot: path.join(work, 'base-root'), refRunId: '', refRunExit: 0, refRunRecords: 0, cleanups: [] }
  // the fixture holds one deliberate unresolved reference (clara-facts §9): its backups are "partial", exit 1
  const d = must(await runCmd(backupCmd(w, w.baseRoot, path.join(work, 'base.lock'))), 'reference backup', [0, 1])
  w.refRunExit = d.code!
  w.refRunRecords = d.stdout.split('\n').filter((l) => l.trim()).length
  w.refRunId = await fsp.readlink(path.join(w.baseRoot, 'latest'))
  return w
}

/** The unit records of the listers (source, legacy, media) as one stream in a file, for clara-zip-unit. */
export async function unitsFile(w: World): Promise<string> {
  const file = path.join(w.work, 'units.ndjson')
  const l = (tool: string, extra = '') => `${bin(tool)} --clara '${w.clara}' ${extra} | grep -v '"type":"end"'`
  const script = `{ ${l('clara-list-projects', `--db '${w.db}' --units source`)}; ${l('clara-list-legacy')}; ${l('clara-list-media')}; } > '${file}.body'`
  must(await runCmd(bash(script)), 'listing the units')
  const body = await fsp.readFile(`${file}.body`, 'utf8')
  const n = body.split('\n').filter((x) => x.trim()).length
  await fsp.writeFile(file, body + JSON.stringify({ type: 'end', count: n }) + '\n')
  await fsp.rm(`${file}.body`)
  return file
}

/** Undo what the world set up outside its folder. */
export async function closeWorld(w: World): Promise<void> {
  for (const c of w.cleanups.splice(0).reverse()) await c().catch(() => {})
}
