/**
 * One environment contract, on a PostgreSQL install whose URL holds a password (a throwaway role made for the
 * test): no process of a whole run ever has the password on its command line (every execve of the run, as
 * strace -f records it, and /proc/<pid>/cmdline of every process read all through the run); every domain script
 * works when run directly, with cron's bare PATH; paths with spaces (the install, BACKUP_ROOT, the previous run
 * handed on as --link-dest) stay whole.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createPgDb, PG_ADMIN_URL, repoRoot } from '@clara/shared/testkit'
import { binPath, childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { openDb } from '@clara/shared/db'

const REPO = repoRoot()
const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'clara-env-'))
t.teardown(() => fsp.rm(work, { recursive: true, force: true }))
const clara = path.join(work, 'C-LARA install')
const root = path.join(work, 'backup root')

// the database, filled by clara-fixture as the admin, then read by a role that has a password
const db = await createPgDb('clara_env')
const role = `clara_env_${process.pid}`
const password = `Pw-${process.pid}-never-on-a-command-line`
const admin = async (sql: string[], url = PG_ADMIN_URL) => {
  const c = await openDb(url)
  try {
    for (const q of sql) await c.exec(q)
  } finally {
    await c.close()
  }
}
t.teardown(async () => {
  await db.drop()
  await admin([`drop role if exists ${role}`])
})
const fx = await spawnTool(binPath('clara-fixture'), ['--clara', clara, '--db', db.url, '--quiet'], { timeoutMs: 180_000 })
if (fx.code !== 0) throw new Error(`clara-fixture exited ${fx.code}: ${fx.stderr}`)
await admin([`create role ${role} login password '${password}'`])
await admin([`grant usage on schema public to ${role}`, `grant select on all tables in schema public to ${role}`, `grant select on all sequences in schema public to ${role}`], db.url)
const u = new URL(db.url)
u.username = role
u.password = password
const DATABASE_URL = u.toString()

/** Every command line on the machine now, by pid (processes that end while read are skipped). */
function cmdlines(): Map<number, string> {
  const out = new Map<number, string>()
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      out.set(Number(p), readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' '))
    } catch {
      // gone
    }
  }
  return out
}

const runEnv = (extra: NodeJS.ProcessEnv = {}) =>
  childEnv({ CLARA: clara, DATABASE_URL, BACKUP_ROOT: root, CLARA_BACKUP_LOCK: path.join(work, 'lock', 'clara_backup.lock'), CLARA_CRONTAB: 'none', ...extra })

// clara-backup composes the domains' tools in its own process (thread), or runs the scripts (scripts): both ways
for (const mode of ['scripts', 'thread']) {
  t.test(`a whole run (${mode}): the password is on no command line, in strace’s record of every execve or in /proc`, async (t) => {
    const log = path.join(work, 'execve.log')
    const child = spawn('strace', ['-f', '-qq', '-e', 'trace=execve', '-s', '100000', '-o', log, binPath('clara-backup'), '--quiet'], { env: runEnv({ DB_TYPE: 'sqlite', CLARA_BACKUP_COMPOSE: mode }), stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const seen = new Map<string, number>()
    let done = false
    const closed = new Promise<number | null>((r) => child.on('close', (code) => ((done = true), r(code))))
    // read every process's command line again and again until the run ends
    while (!done) {
      for (const line of cmdlines().values()) seen.set(line, (seen.get(line) ?? 0) + 1)
      await new Promise((r) => setImmediate(r))
    }
    const code = await closed
    t.ok(code === 0 || code === 1, `the run completed (exit ${code}): ${stderr}`)
    const execs = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('execve('))
    const all = execs.join('\n')
    // the scripts start every tool as a process; in a thread, they are not started at all (pg_dump, a program of its own, is)
    for (const tool of ['clara-list-projects', 'clara-list-audio', 'clara-pgdump', 'clara-zip-unit', 'clara-model']) {
      t.equal(execs.some((l) => l.includes(`/${tool}`)), mode === 'scripts', `${tool} ${mode === 'scripts' ? 'ran as a process' : 'was not started as a process'} (${execs.length} execs recorded)`)
    }
    t.ok(execs.some((l) => l.includes('pg_dump')), 'pg_dump ran')
    t.notOk(all.includes(password), 'no execve of the run had the password in its arguments')
    t.match(all, new RegExp(`pg_dump.*--dbname=postgres://${role}@127\\.0\\.0\\.1`), 'pg_dump got the URL without its password')
    const lines = [...seen.keys()]
    t.ok(lines.some((l) => l.includes('strace -f') && l.includes('clara-backup')), 'the run’s processes were read from /proc')
    t.same(lines.filter((l) => l.includes(password)), [], 'no /proc/<pid>/cmdline held the password')
    const m = JSON.parse(readFileSync(path.join(root, 'latest', 'manifest.json'), 'utf8'))
    t.ok(m.domains.db.units === 1 && !m.domains.db.incomplete, 'the database was dumped with the role’s URL from DATABASE_URL (DB_TYPE=sqlite did not hide it)')
  })
}

t.test('the next run hands the previous one (a path with a space) on as --link-dest: units are reused', async (t) => {
  const r = await spawnTool(binPath('clara-backup'), ['--quiet'], { env: runEnv(), timeoutMs: 300_000 })
  t.ok(r.code === 0 || r.code === 1, r.stderr)
  const m = JSON.parse(readFileSync(path.join(root, 'latest', 'manifest.json'), 'utf8'))
  t.ok(m.incremental_from, 'incremental')
  t.ok(m.domains.source_exports.reused > 0 && m.domains.source_exports.reused === m.domains.source_exports.units, `every source unit hard-linked (${m.domains.source_exports.reused}/${m.domains.source_exports.units})`)
  t.ok(m.domains.audio_cache.reused > 0, 'the audio shard too')
})

t.test('every domain script works when run directly, with cron’s PATH, into a DEST with a space', async (t) => {
  const dest = path.join(work, 'manual run')
  const env = { PATH: `/usr/bin:/bin:${path.dirname(process.execPath)}`, HOME: work, SHLVL: '1', CLARA: clara, DEST: dest, DATABASE_URL, CLARA_CRONTAB: 'none' }
  const scripts: [string, string][] = [
    ['backup_source.sh', 'source_exports'], ['backup_compiled.sh', 'compiled_exports'], ['backup_legacy.sh', 'legacy_zips'], ['backup_db.sh', 'db'],
    ['backup_audio_cache.sh', 'audio_cache'], ['backup_media.sh', 'media'], ['backup_infra.sh', 'infra'], ['backup_snapshots.sh', 'snapshots'],
  ]
  for (const [script, dir] of scripts) {
    const r = await spawnTool(path.join(REPO, 'scripts', script), [], { env, timeoutMs: 180_000 })
    t.ok(r.code === 0 || r.code === 1, `${script}: exit ${r.code}: ${r.stderr}`)
    t.notMatch(r.stderr, /command not found/, script)
    t.ok(existsSync(path.join(dest, dir, 'index.json')), `${script} wrote ${dir}/index.json`)
  }
  t.same(readdirSync(path.join(dest, 'snapshots')).filter((f) => /^full_(projects|media)_tree\.(tgz|tar)$/.test(f)).length, 2, 'both snapshots, their trees named by clara-model')
})
