import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { acquireLock, privateLockDir } from '../src/lock.js'
import { childEnv, sharedModule, writeScript } from '../src/testkit-spawn.js'
import { manualClock } from '../src/testkit-tty.js'

/** A child process that takes the lock, prints `locked` (or its error), and holds it until killed. */
function holder(dir: string, file: string, opts = '{}'): ChildProcess {
  const script = writeScript(
    dir,
    'holder',
    `import { acquireLock } from '${sharedModule('lock')}'
try {
  await acquireLock(${JSON.stringify(file)}, ${opts})
  process.stdout.write('locked\\n')
  setInterval(() => {}, 1000)
} catch (err) {
  process.stdout.write('failed ' + err.exitCode + ' ' + err.message + '\\n')
}
`,
  )
  return spawn('node', [script], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() })
}

const firstLine = (c: ChildProcess) => new Promise<string>((r) => c.stdout!.once('data', (d) => r(String(d).trim())))
const exited = (c: ChildProcess) => new Promise((r) => c.on('close', r))

t.test('acquire, hold, release', async (t) => {
  const file = path.join(t.testdir(), 'sub', 'clara_backup.lock')
  const lock = await acquireLock(file)
  const info = JSON.parse(readFileSync(file, 'utf8'))
  t.equal(info.pid, process.pid)
  t.equal(info.host, os.hostname())
  t.match(info.started, /^\d{4}-\d\d-\d\dT/)
  t.same(info, lock.info)
  await t.rejects(acquireLock(file), { exitCode: 11, code: 'ELOCKED', message: new RegExp(`held by pid ${process.pid} `) })
  await lock.release()
  t.notOk(existsSync(file))
  const again = await acquireLock(file)
  await again.release()
})

t.test('a second holder gets exit 11 naming the holder pid', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'run.lock')
  const first = holder(dir, file)
  t.teardown(() => first.kill('SIGKILL'))
  t.equal(await firstLine(first), 'locked')
  await t.rejects(acquireLock(file), { exitCode: 11, message: new RegExp(`^locked: ${file} is held by pid ${first.pid} on ${os.hostname()} since `) })
  const second = holder(dir, file)
  t.match(await firstLine(second), new RegExp(`^failed 11 locked: .* held by pid ${first.pid} `), 'also from another process')
  await exited(second)
})

t.test('a stale lock (dead pid) is taken over, with a note', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'run.lock')
  const first = holder(dir, file)
  t.equal(await firstLine(first), 'locked')
  first.kill('SIGKILL')
  await exited(first)
  t.ok(existsSync(file), 'the killed holder left its lock file')
  const notes: string[] = []
  const lock = await acquireLock(file, { onTakeover: (h, reason) => notes.push(`${h?.pid}: ${reason}`) })
  t.same(notes, [`${first.pid}: pid ${first.pid} is not running`])
  t.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid)
  await lock.release()
})

t.test('a lock whose heartbeat stopped is stale even if its pid lives: held up to staleMs, taken over past it', async (t) => {
  const file = path.join(t.testdir(), 'run.lock')
  const alive = spawn('sleep', ['600'])
  t.teardown(() => alive.kill('SIGKILL'))
  writeFileSync(file, JSON.stringify({ pid: alive.pid, host: os.hostname(), started: '2020-01-01T00:00:00Z', token: 'x' }))
  const beat = 1_700_000_000_000 // the holder's last heartbeat, a whole second
  utimesSync(file, beat / 1000, beat / 1000)
  t.equal(statSync(file).mtimeMs, beat)
  const at = (ms: number) => () => beat + ms
  await t.rejects(acquireLock(file, { staleMs: 60_000, now: at(0) }), { exitCode: 11, message: new RegExp(`pid ${alive.pid}`) }, 'fresh: held')
  await t.rejects(acquireLock(file, { staleMs: 60_000, now: at(60_000) }), { exitCode: 11, message: /held by/ }, 'exactly staleMs old: still held')
  const reasons: string[] = []
  const lock = await acquireLock(file, { staleMs: 60_000, now: at(60_001), onTakeover: (_h, r) => reasons.push(r) })
  t.same(reasons, ['no heartbeat for 60 s'], '1 ms past staleMs: stale, taken over, with its age')
  t.equal(JSON.parse(readFileSync(file, 'utf8')).started, new Date(beat + 60_001).toISOString(), 'our start time, by the same clock')
  await lock.release()
  writeFileSync(file, JSON.stringify({ pid: alive.pid, host: os.hostname(), started: 'x', token: 'y' }))
  utimesSync(file, beat / 1000, beat / 1000)
  const late: string[] = []
  const again = await acquireLock(file, { now: at(5 * 60_000), onTakeover: (_h, r) => late.push(r) })
  await again.release()
  t.same(late, ['no heartbeat for 300 s'], 'the default staleMs (2 minutes) is passed at 5 minutes')
})

t.test('the holder keeps its heartbeat fresh: every beat sets the lock file’s mtime to now', async (t) => {
  const file = path.join(t.testdir(), 'run.lock')
  const clock = manualClock(1_700_000_000_000)
  let heard: (ms: number) => void = () => {}
  /** Resolves once a beat has written `ms` (beats land one at a time, in order). */
  const beatAt = (ms: number) => new Promise<void>((r) => (heard = (got) => got === ms && r()))
  const lock = await acquireLock(file, { heartbeatMs: 10, now: clock.now, onHeartbeat: (ms) => heard(ms) })
  // the heartbeat's timer is unref'd (it must not keep a tool alive): hold the loop open while we wait on it
  const open = setInterval(() => {}, 1 << 30)
  t.teardown(() => clearInterval(open))
  utimesSync(file, 1, 1)
  clock.advance(60_000)
  await beatAt(1_700_000_060_000)
  t.equal(statSync(file).mtimeMs, 1_700_000_060_000, 'a beat stamps the clock’s time')
  clock.advance(1_000)
  await beatAt(1_700_000_061_000)
  t.equal(statSync(file).mtimeMs, 1_700_000_061_000, 'and the next one the new time')
  await lock.release()
  t.notOk(existsSync(file))
})

t.test('an unreadable lock file is taken over; release never removes a lock we lost', async (t) => {
  const file = path.join(t.testdir(), 'run.lock')
  writeFileSync(file, 'garbage')
  const reasons: string[] = []
  const lock = await acquireLock(file, { onTakeover: (_h, r) => reasons.push(r) })
  t.same(reasons, ['unreadable lock file'])
  writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', started: 'x', token: 'someone-else' }))
  await lock.release()
  t.ok(existsSync(file), "another holder's lock is left alone")
})

t.test('racing takers of a stale lock: exactly one wins', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'run.lock')
  writeFileSync(file, JSON.stringify({ pid: 999999999, host: os.hostname(), started: 'x', token: 'dead' }))
  const kids = Array.from({ length: 4 }, () => holder(dir, file))
  t.teardown(() => kids.forEach((k) => k.kill('SIGKILL')))
  const lines = await Promise.all(kids.map(firstLine))
  t.equal(lines.filter((l) => l === 'locked').length, 1, lines.join(' | '))
  t.equal(lines.filter((l) => /^failed 11 /.test(l)).length, 3)
})

// The tests run as root (scripts/test-deps.sh); 65534 is nobody.
t.test('a lock file owned by another user is never trusted: taken over even when its pid lives', async (t) => {
  const file = path.join(t.testdir(), 'run.lock')
  writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString(), token: 'planted' }))
  chownSync(file, 65534, 65534)
  const reasons: string[] = []
  const lock = await acquireLock(file, { onTakeover: (_h, r) => reasons.push(r) })
  t.same(reasons, [`it is owned by uid 65534, not by this user (uid ${process.geteuid!()}): not trusted`])
  t.equal(statSync(file).uid, process.geteuid!(), 'the lock is ours now')
  await lock.release()
})

t.test('privateLockDir: a folder only this user can write, made 700 when missing; others refused (exit 2)', async (t) => {
  const dir = t.testdir()
  const made = path.join(dir, 'state', 'clara-backup')
  await privateLockDir(made)
  t.equal(statSync(made).mode & 0o777, 0o700)
  await privateLockDir(made)
  const shared = path.join(dir, 'var-lock')
  mkdirSync(shared)
  chmodSync(shared, 0o1777)
  await t.rejects(privateLockDir(shared), { exitCode: 2, code: 'ELOCKDIR', message: /other users can write it \(mode 1777\)/ }, 'world-writable like /var/lock')
  const theirs = path.join(dir, 'theirs')
  mkdirSync(theirs, { mode: 0o700 })
  chownSync(theirs, 65534, 65534)
  await t.rejects(privateLockDir(theirs), { exitCode: 2, message: /owned by uid 65534, not by this user/ })
  const link = path.join(dir, 'link')
  symlinkSync(made, link)
  await t.rejects(privateLockDir(link), { exitCode: 2, message: /not a directory/ })
})
