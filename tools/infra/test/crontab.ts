/**
 * The real `crontab -l` path: a throwaway system user with a crontab installed by the real `crontab`
 * (Debian's cron, installed by scripts/test-deps.sh), captured from a clara-fixture install.
 * Root's own crontab is never read or written: every command here names its user with -u.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { promises as fsp, existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { filesUnder, repoRoot, runMain } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { scanForSecrets } from '@clara/shared/redact'
import { main } from '../src/main.js'

/** Build the §9 fixture install at `clara` with the real clara-fixture. */
async function fixture(clara: string): Promise<void> {
  const r = await spawnTool('node', [path.join(repoRoot(), 'tools', 'fixture', 'bin.js'), '--clara', clara, '--quiet'], { env: childEnv() })
  if (r.code !== 0) throw new Error(`clara-fixture failed (exit ${r.code}; is tools/fixture built?): ${r.stderr}`)
}

const userExists = (name: string) => {
  try {
    execFileSync('getent', ['passwd', name], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** A throwaway system user (no home), removed with its crontab when the test ends, passed or failed. */
function cronUser(t: { teardown: (fn: () => void) => void }, tag: string): string {
  const name = `clara-cron-${process.pid}-${tag}`
  execFileSync('useradd', ['--system', '--no-create-home', name])
  t.teardown(() => {
    try {
      execFileSync('crontab', ['-r', '-u', name], { stdio: 'ignore' })
    } catch {
      // it had no crontab (left): nothing to remove
    }
    execFileSync('userdel', [name])
  })
  return name
}

/**
 * Install `text` as `user`'s crontab with the real `crontab -u USER FILE`. The file is in a short
 * folder of its own: Debian's crontab cuts a FILE path at 99 bytes (then finds no such file).
 */
async function installCrontab(t: { teardown: (fn: () => Promise<void>) => void }, user: string, text: string): Promise<void> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'clara-cron-'))
  t.teardown(() => fsp.rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'crontab')
  await fsp.writeFile(file, text)
  execFileSync('crontab', ['-u', user, file])
}

const sha = (buf: Buffer) => createHash('sha256').update(buf).digest('hex')
const readIndex = (dest: string) => JSON.parse(readFileSync(path.join(dest, 'infra/index.json'), 'utf8'))
// nginx and systemd off: only the crontab (and the install's own settings) are under test here
const capture = (clara: string, dest: string, extra: string[]) =>
  runMain(main, { argv: ['--clara', clara, '--dest', dest, '--nginx', 'none', '--systemd', 'none', ...extra], env: { PATH: process.env.PATH }, cwd: path.dirname(clara) })

// Every schedule is 30 February: should a cron daemon be running, it never runs any of these lines.
const NORMAL = '0 3 30 2 * cd /srv/clara && ./scripts/backup_all.sh >> /srv/clara_backups/cron.log 2>&1'

t.test('crontab -l -u USER: the real crontab captured, its secrets redacted', async (t) => {
  const user = cronUser(t, 'a')
  const root = t.testdir({})
  const clara = path.join(root, 'clara')
  await fixture(clara)
  const key = `sk-PLANTED-cron-${randomBytes(16).toString('hex')}`
  const dbPassword = `PLANTED-cron-db-${randomBytes(8).toString('hex')}`
  const text = ['MAILTO=""', `OPENAI_API_KEY=${key}`, NORMAL, `15 3 30 2 * DATABASE_URL=postgres://clara:${dbPassword}@127.0.0.1:5432/clara /srv/clara/dump.sh`, ''].join('\n')
  await installCrontab(t, user, text)
  const dest = path.join(root, 'run')
  // the install's env file too, as backup_infra.sh passes it: its planted secrets must not leak either
  const r = await capture(clara, dest, ['--crontab-user', user, '--env-file', path.join(clara, '.env.clara')])
  t.equal(r.code, 0, r.stderr)

  for (const file of filesUnder(dest)) {
    const buf = await fsp.readFile(file)
    t.notOk(buf.includes('PLANTED'), `no planted byte in ${path.relative(dest, file)}`)
    t.same(scanForSecrets(buf, { planted: [key, dbPassword] }), [], `${path.relative(dest, file)} scans clean`)
  }
  t.match(readFileSync(path.join(dest, 'infra/settings_snapshot.txt'), 'utf8'), `## env-file ${clara}/.env.clara`, 'the env file was read')
  t.notOk(r.stdout.includes('PLANTED'), 'the records are clean')
  t.notOk(r.stderr.includes('PLANTED'), 'stderr is clean')

  const cron = readFileSync(path.join(dest, 'infra/crontab.txt'))
  const lines = cron.toString('utf8').split('\n')
  t.ok(lines.includes(NORMAL), 'the normal line, unchanged')
  t.ok(lines.includes('OPENAI_API_KEY=<redacted>'), 'the key redacted')
  t.ok(lines.includes('15 3 30 2 * DATABASE_URL=postgres://clara:***@127.0.0.1:5432/clara /srv/clara/dump.sh'), "the URL's password redacted, the rest kept")

  const index = readIndex(dest)
  const entry = index.entries.find((e: { name: string }) => e.name === 'crontab.txt')
  t.match(entry, { path: 'infra/crontab.txt', source: `crontab -l -u ${user}`, size_bytes: cron.length, sha256: sha(cron), redactions: 2 })
  t.same(index.missing.filter((m: { kind: string }) => m.kind === 'crontab'), [], 'not recorded missing')
  t.same(index.failed, [])
  t.match(r.records.find((x) => x.type === 'artifact' && x.unit === 'crontab.txt'), { domain: 'infra', path: 'infra/crontab.txt', sha256: sha(cron), size_bytes: cron.length })
  t.equal(execFileSync('crontab', ['-l', '-u', user], { encoding: 'utf8' }), text, "the user's crontab is only read")
})

t.test('a user without a crontab: recorded missing (a warning), exit 0; a rerun drops the old crontab.txt', async (t) => {
  const user = cronUser(t, 'b')
  const root = t.testdir({})
  const clara = path.join(root, 'clara')
  await fixture(clara)
  await installCrontab(t, user, `${NORMAL}\n`)
  const dest = path.join(root, 'run')
  const first = await capture(clara, dest, ['--crontab-user', user])
  t.equal(first.code, 0, first.stderr)
  t.equal(readFileSync(path.join(dest, 'infra/crontab.txt'), 'utf8'), `${NORMAL}\n`)

  execFileSync('crontab', ['-r', '-u', user])
  const r = await capture(clara, dest, ['--crontab-user', user])
  t.equal(r.code, 0, r.stderr)
  t.notOk(existsSync(path.join(dest, 'infra/crontab.txt')), 'the crontab.txt of the run before is removed')
  const index = readIndex(dest)
  t.notOk(index.entries.some((e: { name: string }) => e.name === 'crontab.txt'))
  t.same(index.missing.filter((m: { kind: string }) => m.kind === 'crontab'), [{ kind: 'crontab', source: `crontab -l -u ${user}`, reason: `no crontab for ${user}` }])
  t.same(index.failed, [], 'not a failure')
  t.match(r.records.find((x) => x.type === 'warning' && x.unit === 'crontab'), { during: 'infra', domain: 'infra', item: `crontab -l -u ${user}`, message: `crontab input not captured: no crontab for ${user}` })
  t.notOk(r.records.some((x) => x.type === 'error'))
  t.match(r.records.at(-2), { type: 'summary', tool: 'clara-infra', failed: 0 })
  t.match(r.stderr, `no crontab for ${user}`)
})

t.test('an unknown user: an error record and a failures entry naming the user, exit 1, the rest captured', async (t) => {
  const user = `clara-cron-${process.pid}-nouser`
  t.notOk(userExists(user), `${user} does not exist`)
  const root = t.testdir({})
  const clara = path.join(root, 'clara')
  await fixture(clara)
  const dest = path.join(root, 'run')
  const r = await capture(clara, dest, ['--crontab-user', user])
  t.equal(r.code, 1, 'exit 1: an input could not be read')
  const source = `crontab -l -u ${user}`
  const err = r.records.find((x) => x.type === 'error') as Record<string, unknown>
  t.match(err, { during: 'infra', domain: 'infra', unit: 'crontab', item: source, code: 'ECRONTAB' })
  t.match(err.message, user, 'the message names the user')
  const index = readIndex(dest)
  t.equal(index.failed.length, 1)
  t.match(index.failed[0], { kind: 'crontab', source, code: 'ECRONTAB' })
  t.match(index.failed[0].message, user)
  t.notOk(existsSync(path.join(dest, 'infra/crontab.txt')))
  t.same(index.entries.map((e: { name: string }) => e.name), ['.env.sample', 'git_info.txt', 'settings_snapshot.txt'], 'the other files are written')
  t.match(r.records.at(-2), { type: 'summary', tool: 'clara-infra', failed: 1 })
  t.match(r.stderr, user)
})

t.test('no --crontab-user: the crontab of the owner of --clara', async (t) => {
  const user = cronUser(t, 'c')
  const root = t.testdir({})
  const clara = path.join(root, 'clara')
  await fixture(clara)
  execFileSync('chown', ['-R', `${user}:`, clara])
  const text = `# the crontab of ${user}, who owns the install\n45 4 30 2 * /srv/clara/owner-${user}.sh\n`
  await installCrontab(t, user, text)
  const dest = path.join(root, 'run')
  const r = await capture(clara, dest, [])
  t.equal(r.code, 0, r.stderr)
  t.equal(readFileSync(path.join(dest, 'infra/crontab.txt'), 'utf8'), text, "the owner's crontab, as crontab -l prints it")
  t.match(readIndex(dest).entries.find((e: { name: string }) => e.name === 'crontab.txt'), { source: `crontab -l -u ${user}`, redactions: 0 })
})
