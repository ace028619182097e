/**
 * make install: a built, self-contained copy under PREFIX that runs with the source tree gone. The install is
 * made from a copy of this checkout, which is then deleted; the installed clara-backup backs up a fixture made
 * by the installed clara-fixture, with cron's bare PATH, and its exit codes come out unchanged. The systemd
 * units it writes pass `systemd-analyze verify` without a warning; the OnFailure= handler alerts.
 */
import t from 'tap'
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { acquireLock } from '@clara/shared/lock'
import { repoRoot } from '@clara/shared/testkit'
import { spawnTool } from '@clara/shared/testkit-spawn'

const REPO = repoRoot()
const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'clara-install-'))
t.teardown(() => fsp.rm(work, { recursive: true, force: true }))
const copy = path.join(work, 'checkout copy')
const prefix = path.join(work, 'opt', 'clara backup')
const units = path.join(work, 'units')
const envFile = path.join(work, 'etc', 'clara-backup.env')
const nodeDir = path.dirname(process.execPath)
// cron's PATH (plus node's own folder, where the machine has node outside /usr/bin): no checkout on it.
// SHLVL: node's stdio pipes are sockets, and a bash at level 1 on a socket reads bash.bashrc like under rshd
const cronEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: `/usr/bin:/bin:${nodeDir}`, HOME: work, LANG: 'C.UTF-8', SHLVL: '1', CLARA_CRONTAB: 'none', ...extra })

/** Every file under `dir` with its size and mtime, to show that running the copy changes none of it. */
function stamps(dir: string, rel = '', out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(path.join(dir, rel))) {
    const r = path.join(rel, name)
    const st = lstatSync(path.join(dir, r))
    if (st.isDirectory()) stamps(dir, r, out)
    else out.set(r, `${st.size} ${st.mtimeMs}`)
  }
  return out
}

t.before(async () => {
  // a copy of the built checkout (no git, no test output), installed from, then deleted
  const cp = await spawnTool('rsync', ['-a', '--exclude', '/.git', '--exclude', '/.tap', '--exclude', '/demo', '--exclude', '/bench/out', `${REPO}/`, `${copy}/`], { timeoutMs: 300_000 })
  if (cp.code !== 0) throw new Error(`rsync: ${cp.stderr}`)
  const r = await spawnTool(path.join(copy, 'scripts/install.sh'), [], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PREFIX: prefix, SYSTEMD_DIR: units, ENV_FILE: envFile, BACKUP_USER: 'root' },
    timeoutMs: 300_000,
  })
  if (r.code !== 0) throw new Error(`install.sh exited ${r.code}: ${r.stderr}`)
  await fsp.rm(copy, { recursive: true, force: true })
})

t.test('the Makefile: install builds, then installs; deps is the old pnpm install; backup prints the exit code', async (t) => {
  const n = await spawnTool('make', ['-n', '-C', REPO, 'install', `PREFIX=${prefix}`], { env: { PATH: process.env.PATH } })
  t.equal(n.code, 0, n.stderr)
  t.match(n.stdout, /pnpm run build[\s\S]*PREFIX=".*clara backup".*scripts\/install\.sh/)
  const deps = await spawnTool('make', ['-n', '-C', REPO, 'deps'], { env: { PATH: process.env.PATH } })
  t.equal(deps.code, 0, deps.stderr)
})

t.test('a self-contained copy: commands in PREFIX/bin, no build info, no test, no path into the checkout', async (t) => {
  const bins = readdirSync(path.join(prefix, 'bin')).sort()
  t.ok(['clara-backup', 'clara-fixture', 'clara-model', 'clara-pgdump', 'clara-restore', 'clara-verify'].every((b) => bins.includes(b)), bins.join(' '))
  const all = [...stamps(path.join(prefix, 'lib/clara-backup')).keys()]
  t.same(all.filter((f) => f.endsWith('.tsbuildinfo') || f.includes('/dist/test/')), [], 'nothing that could look stale or that only tests use')
  for (const b of bins) t.notMatch(readFileSync(path.join(prefix, 'bin', b), 'utf8'), 'checkout copy', `${b} names no path of the source tree`)
  t.notOk(existsSync(copy), 'the source copy is gone')
})

const clara = path.join(work, 'C-LARA install')
const root = path.join(work, 'backups')
const lockFile = path.join(work, 'lock', 'clara_backup.lock')
const settings = { CLARA: clara, DATABASE_URL: `sqlite://${clara}/db.sqlite3`, BACKUP_ROOT: root, CLARA_BACKUP_LOCK: lockFile }

t.test('the installed clara-backup backs up a fixture with the source tree gone; exit codes unchanged', async (t) => {
  const fx = await spawnTool(path.join(prefix, 'bin/clara-fixture'), ['--clara', clara, '--db', settings.DATABASE_URL, '--quiet'], { env: cronEnv(), timeoutMs: 120_000 })
  t.equal(fx.code, 0, fx.stderr)
  const before = stamps(prefix)
  const r = await spawnTool(path.join(prefix, 'bin/clara-backup'), ['--quiet'], { env: cronEnv(settings), timeoutMs: 300_000 })
  t.equal(r.code, 1, `partial (the fixture has one unresolved reference): ${r.stderr}`)
  const m = JSON.parse(readFileSync(path.join(root, 'latest', 'manifest.json'), 'utf8'))
  t.equal(m.status, 'partial')
  t.same(Object.keys(m.domains), ['source_exports', 'compiled_exports', 'legacy_zips', 'db', 'audio_cache', 'media', 'infra'])
  t.ok(m.totals.units > 20, `${m.totals.units} units`)
  // the installed scripts, run directly, the same way
  const direct = await spawnTool(path.join(prefix, 'lib/clara-backup/scripts/backup_all.sh'), ['--quiet', '--domains', 'media'], { env: cronEnv(settings), timeoutMs: 120_000 })
  t.equal(direct.code, 0, direct.stderr)
  const held = await acquireLock(lockFile)
  const locked = await spawnTool(path.join(prefix, 'bin/clara-backup'), [], { env: cronEnv(settings) })
  await held.release()
  t.equal(locked.code, 11, 'locked: 11 reaches the caller')
  t.same(stamps(prefix), before, 'running the copy wrote nothing into it: nothing rebuilds at run time')
})

t.test('make backup (development) prints the exit code of the run, which make itself turns into 2', async (t) => {
  const vars = [`CLARA=${clara}`, `DATABASE_URL=${settings.DATABASE_URL}`]
  const args = `ARGS=--dest '${path.join(work, 'dev-backups')}' --lock-file '${path.join(work, 'lock', 'dev.lock')}' --quiet`
  const partial = await spawnTool('make', ['-s', '-C', REPO, '-o', 'build', '-o', 'deps', 'backup', ...vars, `${args} --domains compiled`], { env: { PATH: process.env.PATH, HOME: work, SHLVL: '1' }, timeoutMs: 120_000 })
  t.equal(partial.code, 2)
  t.match(partial.stderr, /make backup: clara-backup exited 1 \(partial\)/)
  const ok = await spawnTool('make', ['-s', '-C', REPO, '-o', 'build', '-o', 'deps', 'backup', ...vars, `${args} --domains media`], { env: { PATH: process.env.PATH, HOME: work, SHLVL: '1' }, timeoutMs: 120_000 })
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stderr, /make backup: clara-backup exited 0 \(complete\)/)
})

t.test('the systemd units: filled in, verified by systemd-analyze, the environment file mode 600', async (t) => {
  const service = readFileSync(path.join(units, 'clara-backup.service'), 'utf8')
  t.match(service, `ExecStart="${prefix}/bin/clara-backup"\n`)
  t.match(service, `EnvironmentFile=${envFile}\n`)
  t.match(service, /^OnFailure=clara-backup-failed\.service$/m)
  t.match(service, /^SuccessExitStatus=1$/m)
  t.notMatch(service + readFileSync(path.join(units, 'clara-backup-failed.service'), 'utf8'), /@[A-Z_]+@/, 'every placeholder filled in')
  t.match(readFileSync(path.join(units, 'clara-backup.timer'), 'utf8'), /^OnCalendar=\*-\*-\* 02:30:00$/m)
  const v = await spawnTool('systemd-analyze', ['verify', ...['clara-backup.service', 'clara-backup.timer', 'clara-backup-failed.service'].map((u) => path.join(units, u))], {
    env: { PATH: process.env.PATH, SYSTEMD_UNIT_PATH: `${units}:`, SYSTEMD_LOG_LEVEL: 'warning' },
  })
  t.equal(v.code, 0, v.stderr)
  t.equal(v.stderr, '', 'no warning: every key is known, every command executable')
  t.equal(statSync(envFile).mode & 0o777, 0o600)
  t.match(readFileSync(envFile, 'utf8'), /^CLARA=.*\nDATABASE_URL=.*\nBACKUP_ROOT=.*$/m)
  // a second install keeps the settings the admin filled in, and their mode
  writeFileSync(envFile, 'CLARA=/srv/clara\n')
  chmodSync(envFile, 0o644)
  const re = await spawnTool(path.join(REPO, 'scripts/install.sh'), [], { env: { PATH: process.env.PATH, HOME: process.env.HOME, PREFIX: prefix, SYSTEMD_DIR: units, ENV_FILE: envFile }, timeoutMs: 300_000 })
  t.equal(re.code, 0, re.stderr)
  t.equal(readFileSync(envFile, 'utf8'), 'CLARA=/srv/clara\n')
  t.equal(statSync(envFile).mode & 0o777, 0o600)
})

t.test('OnFailure=: the handler alerts for what clara-backup could not report, and stays quiet for what it did', async (t) => {
  const notes = path.join(work, 'unit-notes.ndjson')
  const handler = path.join(prefix, 'lib/clara-backup/scripts/unit-failed.sh')
  const env = cronEnv({ ...settings, CLARA_BACKUP_NOTIFY: `cat >> '${notes}'`, MONITOR_UNIT: 'clara-backup.service' })
  const killed = await spawnTool(handler, [], { env: { ...env, MONITOR_SERVICE_RESULT: 'signal', MONITOR_EXIT_CODE: 'killed', MONITOR_EXIT_STATUS: 'KILL' } })
  t.equal(killed.code, 0, killed.stderr)
  const own = await spawnTool(handler, [], { env: { ...env, MONITOR_SERVICE_RESULT: 'exit-code', MONITOR_EXIT_CODE: 'exited', MONITOR_EXIT_STATUS: '3' } })
  t.equal(own.code, 0, own.stderr)
  t.match(own.stderr, /exited 3: clara-backup reported it itself/)
  const lines = readFileSync(notes, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  t.match(lines, [{ event: 'unit-failed', status: 'failed', unit: 'clara-backup.service', backup_root: root, message: /failed: signal \(killed KILL\)/ }])
  t.equal(lines.length, 1)
})

