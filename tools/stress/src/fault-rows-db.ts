/** The DB row of the faults catalogue: unreachable, wrong password, shut down mid-dump; the password never printed. */
import { existsSync, readdirSync, readFileSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { createMysqlDb, MYSQL_ADMIN_URL } from '@clara/shared/testkit'
import { walkTreeSync } from '@clara/shared/walk-sync'
import { bin } from './paths.js'
import { bulkPgDb, terminatePgDump } from './pg-scratch.js'
import { collect, recordsOf, runCmd, startGroup, type Cmd, type Done } from './proc.js'
import { backupCmd } from './world.js'

const SECRET = `PLANTED-pw-${process.pid}-x9`

/** Where `secret` shows up: in these outputs, or in any file under these folders. */
export function leaks(secret: string, outputs: Done[], dirs: string[]): string[] {
  const found = outputs.flatMap((d, i) => [d.stdout, d.stderr].filter((s) => s.includes(secret)).map(() => `output of command ${i + 1}`))
  for (const dir of dirs.filter((d) => existsSync(d))) {
    for (const e of walkTreeSync(dir)) if (e.kind === 'file' && readFileSync(e.abs).includes(secret)) found.push(e.rel)
  }
  return found
}

const pgdump = (dest: string, url: string): Cmd => ({ cmd: bin('clara-pgdump'), args: ['--dest', dest, '--db', url] })

/** Run `c` and end pg_dump's backend on `dbName` while it runs. */
async function killedMidDump(c: Cmd, dbName: string): Promise<{ done: Done; terminated: boolean }> {
  const child = startGroup(c)
  const done = collect(child, c)
  const terminated = await terminatePgDump(dbName)
  return { done: await done, terminated }
}

export async function pgRows(work: string) {
  const unreachableDest = path.join(work, 'pg-unreachable')
  const unreachable = await runCmd(pgdump(unreachableDest, `postgres://clara:${SECRET}@127.0.0.1:9/clara`))
  const db = await bulkPgDb(400_000)
  try {
    const u = new URL(db.url)
    u.password = SECRET // loopback trusts every password: this one only has to stay secret
    const midDest = path.join(work, 'pg-mid')
    const mid = await killedMidDump(pgdump(midDest, u.toString()), db.name)
    const dbDir = path.join(midDest, 'db')
    const dumps = existsSync(dbDir) ? readdirSync(dbDir).filter((n) => n.endsWith('.dump')) : []
    const root = path.join(work, 'pg-whole')
    const whole = await killedMidDump(backupCmd({ clara: path.join(work, 'clara'), db: u.toString() }, root, path.join(work, 'pg-whole.lock'), ['--domains', 'db']), db.name)
    const runId = readdirSync(root).find((n) => /^\d{8}T/.test(n))
    const read = async (f: string) => JSON.parse(await fsp.readFile(path.join(root, runId ?? '-', f), 'utf8').catch(() => 'null'))
    return {
      unreachable: { ...unreachable, wrote: existsSync(unreachableDest) },
      terminated: mid.terminated && whole.terminated,
      midDump: { ...mid.done, records: recordsOf(mid.done.stdout), dumps },
      wholeRun: { code: whole.done.code, status: (await read('manifest.json'))?.status, failures: (await read('failures.json'))?.failures ?? [] },
      leaks: leaks(SECRET, [unreachable, mid.done, whole.done], [unreachableDest, midDest, root]),
    }
  } finally {
    await db.drop()
  }
}

/** MariaDB checks passwords on loopback: a user with one, and a URL with another. */
export async function mysqlWrongPassword(work: string) {
  const db = await createMysqlDb('clara_stress')
  const user = `clara_stress_${process.pid}`
  const admin = await openDb(MYSQL_ADMIN_URL)
  await admin.exec(`drop user if exists '${user}'@'%'; create user '${user}'@'%' identified by 'the-right-one'; grant all on \`${db.name}\`.* to '${user}'@'%'`)
  try {
    const u = new URL(db.url)
    Object.assign(u, { username: user, password: SECRET })
    const dest = path.join(work, 'mysql-wrong')
    const r = await runCmd(pgdump(dest, u.toString()))
    return { ...r, wrote: existsSync(dest), leaks: leaks(SECRET, [r], [dest]) }
  } finally {
    await admin.exec(`drop user if exists '${user}'@'%'`)
    await admin.close()
    await db.drop()
  }
}
