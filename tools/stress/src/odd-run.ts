/**
 * The faults catalogue's shared scenario, built once: a fixture install with every per-item
 * oddity planted (odd-install.ts), backed up whole by clara-backup with faults injected and
 * --checksums, while a second clara-backup tries to start on the same lock; then restored whole
 * (--sources) with clara-restore into a new root.
 */
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { bin, toolEnv } from './paths.js'
import { collect, recordsOf, runCmd, startGroup, type Done } from './proc.js'
import { ODD_FAULTS, plantOddities } from './odd-install.js'
import { BACKUP_ENV, backupCmd, must } from './world.js'

export interface OddRun {
  work: string
  clara: string
  db: string
  root: string
  run: string
  lock: string
  backup: Done
  /** the second clara-backup started while the first held the lock */
  second: Done
  secondStartedWhileHeld: boolean
  failures: Record<string, any>[] // eslint-disable-line @typescript-eslint/no-explicit-any
  to: string
  restore: Done
}

async function waitFor(file: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (existsSync(file)) return true
  return false
}

/** Run the faulty backup; start a second run on the same lock as soon as the first holds it. */
async function backupTwice(o: Pick<OddRun, 'clara' | 'db' | 'root' | 'lock'>): Promise<{ backup: Done; second: Done; held: boolean }> {
  const c = { ...backupCmd(o, o.root, o.lock, ['--checksums']), env: toolEnv({ ...BACKUP_ENV, CLARA_FAULT_INJECT: ODD_FAULTS }) }
  c.args = c.args.filter((a) => a !== '--quiet')
  const first = startGroup(c)
  const firstDone = collect(first, c)
  const held = await waitFor(o.lock, 30_000)
  const second = await runCmd(backupCmd(o, o.root, o.lock))
  const stillHeld = existsSync(o.lock)
  return { backup: await firstDone, second, held: held && stillHeld }
}

export async function makeOddRun(work: string): Promise<OddRun> {
  const clara = path.join(work, 'clara')
  must(await runCmd({ cmd: bin('clara-fixture'), args: ['--clara', clara, '--quiet'] }), 'clara-fixture')
  await plantOddities(clara)
  const o = { work, clara, db: `sqlite://${path.join(clara, 'db.sqlite3')}`, root: path.join(work, 'backups'), lock: path.join(work, 'backup.lock') }
  const { backup, second, held } = await backupTwice(o)
  const run = path.join(o.root, await fsp.readlink(path.join(o.root, 'latest')))
  const failures = JSON.parse(await fsp.readFile(path.join(run, 'failures.json'), 'utf8')).failures
  const to = path.join(work, 'restored')
  const restore = await runCmd({ cmd: bin('clara-restore'), args: [run, '--to', to, '--db', `sqlite://${path.join(work, 'restored.sqlite3')}`, '--sources'] })
  return { ...o, run, backup, second, secondStartedWhileHeld: held, failures, to, restore }
}

/** The failure a run recorded for one unit (`domain/unit`), if any. */
export function failureOf(r: OddRun, unit: string): Record<string, any> | undefined { // eslint-disable-line @typescript-eslint/no-explicit-any
  return r.failures.find((f) => `${f.domain}/${f.unit}` === unit)
}

/** The restore records of one unit. */
export function restoreRecordsOf(r: OddRun, unit: string): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return recordsOf(r.restore.stdout).filter((x) => `${x.domain}/${x.unit}` === unit)
}
