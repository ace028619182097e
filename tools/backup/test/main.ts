/** clara-backup in-process and its parts: usage, the lock, the README, env for the scripts, progress, summary. */
import t from 'tap'
import { spawn } from 'node:child_process'
import { chmodSync, chownSync, linkSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { acquireLock } from '@clara/shared/lock'
import { Logger } from '@clara/shared/log'
import { runMain } from '@clara/shared/testkit'
import { manualClock, screen } from '@clara/shared/testkit-tty'
import { main } from '../src/main.js'
import { argsOfLines, domainEnv } from '../src/domain-env.js'
import { UsageError } from '@clara/shared/cli'
import { DOMAINS, missesDefaults, selectDomains } from '../src/domains.js'
import { progressOf } from '../src/domain-run.js'
import { domainTotals } from '../src/manifest.js'
import { descendants, killTree } from '../src/proc-tree.js'
import { RunProgress } from '../src/progress.js'
import { sweepRunTemps } from '../src/run-dir.js'
import { summaryLines } from '../src/summary.js'
import { clearStaleFailures, ensureFailures } from '../src/domain-failures.js'
import { fullDiskError, outOfSpace } from '../src/out-of-space.js'
import { REPO, readJson, waitFor } from './helpers.js'
import { defaultLockFile } from '../src/options.js'

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => runMain(main, { argv, env: { PATH: process.env.PATH, ...env } })

t.test('README usage is the --help text', async (t) => {
  const r = await run(['--help'])
  t.equal(r.code, 0)
  const readme = readFileSync(path.join(REPO, 'tools/backup/README.md'), 'utf8')
  const usage = readme.split('## Usage')[1].split('```')[1].replace(/^\n/, '')
  t.equal(usage, r.stdout)
})

t.test('usage errors: one line, exit 2, nothing done', async (t) => {
  const dir = t.testdir()
  const base = ['--dest', path.join(dir, 'b'), '--lock-file', path.join(dir, 'lock')]
  const cases: [string[], RegExp][] = [
    [[...base], /--clara DIR \(or env CLARA\) is required/],
    [[...base, '--clara', dir, '--workers', '0'], /--workers: 0 is not a whole number/],
    [[...base, '--clara', dir, '--jobs', '0'], /--jobs: 0 is not a whole number/],
    [[...base, '--clara', dir, '--resume', '../etc'], /--resume: "..\/etc" is not a run id/],
    [[...base, '--clara', dir, '--resume', '20260101T000000Z', '--dry-run'], /--resume and --dry-run/],
    [[...base, '--clara', dir, '--encrypt-to', 'secret-key'], /--encrypt-to: "secret-key" is not an age recipient/],
    [[...base, '--clara', dir, '--domains', 'source,nope'], /unknown domain\(s\): nope/],
    [[...base, '--clara', dir, '--existing', 'maybe'], /Invalid values/],
    [[...base, '--clara', dir, '--resume', '20260101T000000Z'], /--resume 20260101T000000Z: no such run/],
    [[...base, '--clara', path.join(dir, 'nope')], /--clara \S+\/nope: no such directory/],
    [[...base, '--clara', path.join(dir, 'nope'), '--dry-run'], /--clara \S+\/nope: no such directory/],
    [[...base, '--clara', path.join(dir, 'a-file')], /--clara \S+\/a-file: not a directory/],
  ]
  writeFileSync(path.join(dir, 'a-file'), 'x')
  for (const [argv, re] of cases) {
    const r = await run(argv)
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.stderr, re)
    t.equal(r.stdout, '')
  }
  const env = await run([...base, '--clara', dir], { CLARA_BACKUP_JOBS: 'two' })
  t.equal(env.code, 2)
  t.match(env.stderr, /CLARA_BACKUP_JOBS: "two" is not a whole number/)
  t.notOk(existsSync(path.join(dir, 'lock')), 'the lock is released')
  t.notOk(existsSync(path.join(dir, 'b')), 'no backup root created')
})

t.test('a destination that cannot take a run (a file, a read-only or a full filesystem): one line, exit 3, nothing written', async (t) => {
  const dir = t.testdir({ clara: {}, 'a-file': 'x', ro: {} })
  const lock = path.join(dir, 'lock')
  for (const dest of [path.join(dir, 'a-file'), path.join(dir, 'a-file/below')]) {
    const r = await run(['--clara', path.join(dir, 'clara'), '--dest', dest, '--lock-file', lock])
    t.equal(r.code, 3, dest)
    t.match(r.stderr, /^\S+: cannot create a run folder in \S+ \(--dest \/ BACKUP_ROOT\): it \(or a folder above it\) is a file, not a folder \((EEXIST|ENOTDIR)\)\n$/)
    t.equal(r.stdout, '')
  }
  t.equal(readFileSync(path.join(dir, 'a-file'), 'utf8'), 'x', 'the file is untouched')
  t.notOk(existsSync(lock), 'the lock is released')
  // read-only and full filesystems for real: a tmpfs mounted in a mount namespace of the child alone (root only: tests run as root)
  const onTmpfs = async (mountOpts: string, sub: string) => {
    const mnt = path.join(dir, 'ro')
    const child = spawn('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o ${mountOpts} clara-test "$0" && mkdir -p "$0/${sub}" && exec "$@"`, mnt, process.execPath, path.join(REPO, 'tools/backup/bin.js'),
      '--clara', path.join(dir, 'clara'), '--dest', path.join(mnt, sub, 'backups'), '--lock-file', lock], { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stderr.on('data', (c) => (err += c))
    child.stdout.resume()
    return { code: await new Promise((r) => child.on('close', r)), err }
  }
  const ro = await onTmpfs('ro', '')
  t.equal(ro.code, 3, ro.err)
  t.match(ro.err, /^clara-backup: cannot create a run folder in \S+\/ro\/backups \(--dest \/ BACKUP_ROOT\): it is on a read-only filesystem \(EROFS\)\n$/, 'read-only: one line, no stack trace')
  // two inodes: the root and BACKUP_ROOT's parent fit, nothing more
  const full = await onTmpfs('size=64k,nr_inodes=2', 'x')
  t.equal(full.code, 3, full.err)
  t.match(full.err, /^clara-backup: cannot create a run folder in \S+\/ro\/x\/backups \(--dest \/ BACKUP_ROOT\): its filesystem is full \(ENOSPC\)\n$/, 'full: one line, no stack trace')
})

t.test('a held lock: exit 11 naming the holder’s pid; nothing is written', async (t) => {
  const dir = t.testdir()
  const lock = await acquireLock(path.join(dir, 'lock'))
  const r = await run(['--clara', dir, '--dest', path.join(dir, 'b'), '--lock-file', path.join(dir, 'lock')])
  await lock.release()
  t.equal(r.code, 11)
  t.match(r.stderr, new RegExp(`held by pid ${process.pid}\\b`))
  t.notOk(existsSync(path.join(dir, 'b')), 'no backup root created')
})

t.test('the lock lives in a folder only this user can write; a lock planted by another user never blocks a run', async (t) => {
  t.equal(defaultLockFile(0), '/run/clara-backup/clara_backup.lock')
  t.match(defaultLockFile(1000), /\/\.local\/state\/clara-backup\/clara_backup\.lock$/)
  const dir = t.testdir()
  // a world-writable folder like /var/lock, and a lock in it that another user planted, naming a live pid
  const shared = path.join(dir, 'var-lock')
  mkdirSync(shared)
  chmodSync(shared, 0o1777)
  const planted = path.join(shared, 'clara_backup.lock')
  writeFileSync(planted, JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString(), token: 'planted' }))
  chownSync(planted, 65534, 65534)
  const r = await run(['--clara', dir, '--dest', path.join(dir, 'b'), '--lock-file', planted])
  t.equal(r.code, 2, 'not 11: the folder is refused before any lock in it is read')
  t.match(r.stderr, /lock folder .*var-lock: other users can write it/)
  t.notOk(existsSync(path.join(dir, 'b')), 'no backup root created')
  // the same planted file in a private folder is not trusted: the run takes it over
  const mine = path.join(dir, 'mine')
  mkdirSync(mine, { mode: 0o700 })
  const lock = path.join(mine, 'clara_backup.lock')
  writeFileSync(lock, readFileSync(planted))
  chownSync(lock, 65534, 65534)
  const ok = await run(['--clara', dir, '--dest', path.join(dir, 'b'), '--lock-file', lock, '--domains', 'media'])
  t.not(ok.code, 11, ok.stderr)
  t.match(ok.stderr, /took over a stale lock .*owned by uid 65534, not by this user/)
  t.notOk(existsSync(lock), 'released at the end')
})

t.test('domainEnv: where to read and write, the flags for listers and archivers, CLARA_LOG, grouped fsyncs', async (t) => {
  const place = { clara: '/c', db: 'sqlite:///c/db.sqlite3', runDir: '/b/R', runId: 'R', prev: '/b/P Q' }
  const flags = { dry: true, checksums: true, only: ['5', '12'], skip: ['7'], textTypes: 'normal', existing: 'overwrite', workers: 3 }
  const env = domainEnv({ PATH: '/usr/bin', KEEP: 'x' }, '/repo', place, flags, { quiet: true })
  t.match(env, {
    KEEP: 'x', PATH: '/repo/node_modules/.bin:/usr/bin', CLARA: '/c', DATABASE_URL: 'sqlite:///c/db.sqlite3', DEST: '/b/R', LINK_DEST: '/b/P Q',
    CLARA_LIST_ARGS: '--only\n5,12\n--skip\n7\n--text-types\nnormal',
    CLARA_ARCHIVE_ARGS: '--workers\n3\n--existing\noverwrite\n--checksums\n--dry-run\n--link-dest\n/b/P Q',
    CLARA_DRY_RUN: '1', CLARA_LOG: 'quiet,progress-json', CLARA_FLUSH: 'grouped',
  })
  const plain = domainEnv({}, '/repo', { ...place, prev: null }, { ...flags, dry: false, checksums: false, only: [], skip: [], textTypes: undefined })
  t.same(argsOfLines(env.CLARA_ARCHIVE_ARGS).slice(-2), ['--link-dest', '/b/P Q'], 'a path with a space stays one argument')
  t.throws(() => domainEnv({}, '/repo', { ...place, prev: '/b/P\nQ' }, flags), UsageError, 'a line break in a path is refused, not split')
  t.match(plain, { CLARA_LIST_ARGS: '', CLARA_ARCHIVE_ARGS: '--workers\n3\n--existing\noverwrite', CLARA_DRY_RUN: '', LINK_DEST: '', CLARA_LOG: 'progress-json' })
})

t.test('domains: the design order, snapshots only when asked, selective runs', async (t) => {
  t.same(selectDomains([], false).map((d) => d.name), ['source', 'compiled', 'legacy', 'db', 'audio', 'media', 'infra'])
  t.same(selectDomains([], true).at(-1)!.name, 'snapshots')
  t.same(selectDomains(['infra', 'source_exports'], false).map((d) => d.name), ['source', 'infra'], 'by name or folder, in the design order')
  t.throws(() => selectDomains(['x'], false), /unknown domain/)
  t.notOk(missesDefaults(selectDomains([], true)))
  t.ok(missesDefaults(selectDomains(['db'], false)))
})

t.test('progressOf: a tool’s progress JSON line, nothing else', async (t) => {
  t.match(progressOf('{"level":30,"name":"clara-zip-unit","msg":"progress","items":3,"bytes":10}'), { items: 3, bytes: 10, name: 'clara-zip-unit' })
  t.equal(progressOf('{"level":30,"msg":"3 units"}'), null)
  t.equal(progressOf('clara-zip-unit: 7 units (0 reused)'), null)
  t.equal(progressOf('{broken'), null)
})

/** A RunProgress drawing on a fake terminal, with a clock the test moves by hand. */
function fakeRun(tty: boolean, prev: Record<string, { units: number; bytes: number }> = {}, name = 'clara-backup') {
  const stderr = new PassThrough()
  let text = ''
  stderr.on('data', (c) => (text += c))
  const clock = manualClock()
  const io = { stderr, isTTY: tty, now: clock.now }
  const p = new RunProgress(new Logger(io, name), () => new Logger(io, name), tty, stderr, prev, clock.now)
  return { p, clock, shown: () => screen(text), text: () => text, clear: () => void (text = '') }
}

t.test('RunProgress on a TTY: [i/n domain] n/N units from the previous run, tool lines wipe the live line', async (t) => {
  const { p, clock, shown, text } = fakeRun(true, { source_exports: { units: 7, bytes: 7000 } })
  p.startDomain(0, 7, DOMAINS[0])
  t.same(shown(), { lines: ['clara-backup: domain 1/7: source → source_exports/'], live: 'clara-backup: [1/7 source] 0/7 units, 0 B, 0 B/s' },
    'the domain’s line, then its live line at once, counting towards the previous run’s 7 units')
  p.relay('clara-list-projects: 61: gone')
  t.same(shown(), { lines: ['clara-backup: domain 1/7: source → source_exports/', 'clara-list-projects: 61: gone'], live: '' }, 'a tool’s line wipes the live line and stands on its own')
  clock.advance(1000)
  p.update({ items: 2, bytes: 2000 })
  t.equal(shown().live, 'clara-backup: [1/7 source] 2/7 units, 2.0 KB, 2.0 KB/s ETA 3s', 'redrawn at once after the wipe; rate over 1 s; ETA from the previous run’s bytes')
  clock.advance(99)
  p.update({ items: 9, bytes: 9000 })
  t.equal(shown().live, 'clara-backup: [1/7 source] 2/7 units, 2.0 KB, 2.0 KB/s ETA 3s', '99 ms after the last draw: not redrawn')
  clock.advance(1)
  p.update({ items: 9, bytes: 9000 })
  t.equal(shown().live, 'clara-backup: [1/7 source] 9 units, 9.0 KB, 8.2 KB/s', '100 ms after: redrawn; past the estimate, no total and no ETA')
  clock.advance(400)
  p.endDomain(DOMAINS[0])
  t.same(shown(), { lines: ['clara-backup: domain 1/7: source → source_exports/', 'clara-list-projects: 61: gone'], live: '' }, 'the live line is cleared at the end of the domain')
  t.ok(text().endsWith('\r\x1b[K'), 'by erasing it, not by a newline')
  t.equal(p.seconds('source_exports'), 1.5, 'the domain’s seconds, by the clock')
  t.equal(p.seconds('compiled_exports'), 0, 'a domain that did not run: 0')
})

t.test('RunProgress off a TTY: nothing but the domain line in a domain’s first 10 s, then a plain line every 10 s', async (t) => {
  const { p, clock, shown } = fakeRun(false, {}, 'x')
  p.startDomain(1, 7, DOMAINS[1])
  clock.advance(9_999)
  p.update({ items: 1, bytes: 1 })
  t.same(shown(), { lines: ['x: domain 2/7: compiled → compiled_exports/'], live: '' }, '9.999 s in: no progress line')
  clock.advance(1)
  p.update({ items: 2, bytes: 20_000 })
  t.same(shown().lines.slice(1), ['x: [2/7 compiled] 2 units, 20.0 KB, 2.0 KB/s'], '10 s in: one plain line, no control codes')
  clock.advance(9_999)
  p.update({ items: 3, bytes: 30_000 })
  t.equal(shown().lines.length, 2, 'the next within 10 s of it: not printed')
  clock.advance(1)
  p.update({ items: 4, bytes: 40_000 })
  t.same(shown(), { lines: ['x: domain 2/7: compiled → compiled_exports/', 'x: [2/7 compiled] 2 units, 20.0 KB, 2.0 KB/s', 'x: [2/7 compiled] 4 units, 40.0 KB, 2.0 KB/s'], live: '' }, '10 s after it: the next line')
})

t.test('RunProgress with two domains at once: each update draws its own domain’s line', async (t) => {
  const { p, clock, shown, clear } = fakeRun(true, { audio_cache: { units: 1, bytes: 10 } }, 'b')
  p.startDomain(0, 7, DOMAINS[0])
  clock.advance(2000)
  p.startDomain(4, 7, DOMAINS[4])
  clear()
  clock.advance(100)
  p.update({ items: 3, bytes: 30 }, 'source_exports')
  t.equal(shown().live, 'b: [1/7 source] 3 units, 30 B, 14 B/s', 'the update names source: source’s line, its rate over its own 2.1 s')
  p.update({ items: 5, bytes: 500, total: 9 }, 'audio_cache')
  t.equal(shown().live, 'b: [5/7 audio] 5/9 items, 500 B, 5.0 KB/s ETA 0s', 'the next names audio: audio’s line (its own logger, its own throttle), the tool’s total in items')
  p.update({ items: 6, bytes: 600, total: 9 })
  t.equal(shown().live, 'b: [5/7 audio] 5/9 items, 500 B, 5.0 KB/s ETA 0s', 'audio again within 100 ms of its last draw: not redrawn')
  clock.advance(100)
  p.update({ items: 7, bytes: 700, total: 9 })
  t.equal(shown().live, 'b: [5/7 audio] 7/9 items, 700 B, 3.5 KB/s ETA 0s', 'an update naming no domain goes to the one started last (audio)')
  clock.advance(200)
  p.endDomain(DOMAINS[0])
  clear()
  p.update({ items: 4, bytes: 40 }, 'source_exports')
  t.same(shown(), { lines: [], live: '' }, 'a domain that ended draws nothing')
  p.endDomain(DOMAINS[4])
  t.equal(p.seconds('source_exports'), 2.4)
  t.equal(p.seconds('audio_cache'), 0.4)
})

t.test('summaryLines: the run, one line per domain, where latest points', async (t) => {
  const m: any = {
    run_id: 'R', status: 'partial', started_at: '2026-01-01T00:00:00.000Z', finished_at: '2026-01-01T00:00:12.500Z', incremental_from: 'P',
    totals: { units: 9, bytes: 2_500_000, failures: 1, reused: 7, new_bytes: 1000 },
    domains: { source_exports: { units: 7, bytes: 2_000_000, failures: 0, reused: 7, new_bytes: 0 }, db: { units: 1, bytes: 500_000, failures: 1, reused: 0, new_bytes: 1000, incomplete: true, exit_code: 3 } },
  }
  const lines = summaryLines(m, (d) => (d === 'db' ? 2 : 10), 'latest → R')
  t.equal(lines[0], 'run R partial in 12.5 s, incremental from P: 9 units (7 reused), 2.5 MB (1.0 KB new), 1 failure (failures.json)')
  t.match(lines[1], /^ {2}source_exports +7 units +7 reused +2\.0 MB +0 B new +0 failures +10\.0 s$/)
  t.match(lines[2], /^ {2}db +1 units +0 reused +500\.0 KB +1\.0 KB new +1 failure +2\.0 s {2}DID NOT COMPLETE \(exit 3\)$/)
  t.equal(lines[3], 'latest → R')
})

t.test('domainTotals: units, bytes, failures from the files; reuse by inode against the previous run', async (t) => {
  const dir = t.testdir()
  const d = DOMAINS[0]
  for (const r of ['P', 'R']) mkdirSync(path.join(dir, r, d.dir, '5'), { recursive: true })
  mkdirSync(path.join(dir, 'R', d.dir, '6'), { recursive: true })
  writeFileSync(path.join(dir, 'P', d.dir, '5/source.zip'), 'five')
  linkSync(path.join(dir, 'P', d.dir, '5/source.zip'), path.join(dir, 'R', d.dir, '5/source.zip'))
  writeFileSync(path.join(dir, 'R', d.dir, '6/source.zip'), 'six!!')
  const entries = [{ unit: '5', path: '5/source.zip', size_bytes: 4 }, { unit: '6', path: '6/source.zip', size_bytes: 5 }]
  writeFileSync(path.join(dir, 'R', d.dir, 'index.json'), JSON.stringify({ entries }))
  writeFileSync(path.join(dir, 'R', d.dir, 'failures.json'), JSON.stringify({ failures: [{ unit: '7' }] }))
  t.same(await domainTotals(path.join(dir, 'R'), d, path.join(dir, 'P')), { units: 2, bytes: 9, failures: 1, reused: 1, new_bytes: 5 })
  t.same(await domainTotals(path.join(dir, 'R'), d, null), { units: 2, bytes: 9, failures: 1, reused: 0, new_bytes: 9 })
  t.same(await domainTotals(path.join(dir, 'R'), DOMAINS[1], null), { units: 0, bytes: 0, failures: 0, reused: 0, new_bytes: 0 }, 'a domain that did not run')
})

t.test('descendants and killTree: the whole pipeline below a pid', async (t) => {
  const child = spawn('bash', ['-c', 'sleep 30 | sleep 30 & wait'], { stdio: 'ignore' })
  // bash starts the two sleeps on its own time: wait for them to be there (polling, bounded)
  await waitFor(() => descendants(child.pid!).length >= 2, 30_000, 'the two sleeps below bash')
  const below = descendants(child.pid!)
  t.ok(below.length >= 2, `found ${below.length} processes below bash`)
  const closed = new Promise((r) => child.on('close', r))
  killTree(child.pid!, 'SIGTERM')
  await closed
  const living = () => below.filter((p) => existsSync(`/proc/${p}/stat`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z '))
  // the sleeps die of the signal on their own time too: wait for it, bounded, then say which are left
  await waitFor(() => living().length === 0, 30_000, 'the processes below bash to end').catch(() => {})
  t.same(living(), [], 'all gone')
})

t.test('sweepRunTemps: temp files of dead writers, anywhere in the run', async (t) => {
  const dir = t.testdir({ a: { b: { '.source.zip.999999.abcd.tmp': 'x', 'source.zip': 'keep' } }, '.manifest.json.999998.ef01.tmp': 'y' })
  const live = spawn('sleep', ['600']) // alive until killed, however slow the machine
  t.teardown(() => live.kill())
  writeFileSync(path.join(dir, `.index.json.${live.pid}.beef.tmp`), 'live writer')
  t.equal(await sweepRunTemps(dir), 2)
  t.ok(existsSync(path.join(dir, 'a/b/source.zip')))
  t.ok(existsSync(path.join(dir, `.index.json.${live.pid}.beef.tmp`)), 'a running writer’s temp file stays')
})

t.test('ensureFailures: every error record of a domain reaches its failures.json', async (t) => {
  const run = t.testdir({ audio_cache: { 'failures.json': JSON.stringify({ version: 1, domain: 'audio_cache', failures: [] }) } })
  const dumpError = { type: 'error', during: 'dump', item: 'tts_metadata.db', message: 'database is locked', code: 'EDUMP', domain: 'db' } as const
  t.equal(await ensureFailures(run, 'db', [dumpError], 1), 1, 'a tool that writes no failures.json (clara-pgdump)')
  t.match(readJson(path.join(run, 'db/failures.json')), { version: 1, domain: 'db', generated_at: String, failures: [{ unit: 'tts_metadata.db', step: 'dump', message: 'database is locked', code: 'EDUMP' }] })
  t.equal(await ensureFailures(run, 'db', [dumpError], 1), 0, 'already there: nothing added')
  t.equal(await ensureFailures(run, 'audio_cache', [{ ...dumpError, domain: 'audio_cache' }, { ...dumpError, domain: 'audio_cache' }], 1), 1, 'one step’s error missed by the other step’s file, once')
  t.equal(readJson(path.join(run, 'audio_cache/failures.json')).failures.length, 1)
  t.equal(await ensureFailures(run, 'infra', [], 1), 1, 'exit 1 and no failure anywhere')
  t.match(readJson(path.join(run, 'infra/failures.json')).failures, [{ unit: 'infra', step: 'domain', code: 'EPARTIAL' }])
  t.equal(await ensureFailures(run, 'media', [], 0), 0)
  t.equal(await ensureFailures(run, 'legacy_zips', [dumpError], 3), 0, 'an incomplete domain is counted as such, not here')
  t.notOk(existsSync(path.join(run, 'media')) || existsSync(path.join(run, 'legacy_zips')))
  t.equal(await clearStaleFailures(run, 'db'), 1, 'a resumed run whose dump succeeded this time: the earlier failure is dropped')
  t.same(readJson(path.join(run, 'db/failures.json')).failures, [])
  t.equal(await clearStaleFailures(run, 'db'), 0)
  t.equal(await clearStaleFailures(run, 'media'), 0, 'no failures.json: nothing to do')
  t.notOk(existsSync(path.join(run, 'media')))
})

t.test('outOfSpace: ENOSPC, EDQUOT and SQLite\'s full disk, by code or message; nothing else', async (t) => {
  t.ok(outOfSpace({ type: 'error', during: 'zip', item: 'x', message: 'a.txt: cannot be read (ENOSPC)', code: 'ENOSPC' }))
  t.ok(outOfSpace({ unit: 'db', message: 'sqlite backup failed: database or disk is full', code: 'SQLITE_FULL' }))
  t.ok(outOfSpace({ type: 'error', during: 'write', item: 'x', message: 'write failed: no space left on device' }))
  t.ok(outOfSpace({ type: 'error', during: 'write', item: 'x', message: 'q', code: 'EDQUOT' }))
  t.notOk(outOfSpace({ type: 'error', during: 'zip', item: 'x', message: 'permission denied', code: 'EACCES' }))
  t.notOk(outOfSpace({ type: 'warning', during: 'zip', item: 'x', message: 'ENOSPC' }))
})

t.test('fullDiskError: clara-backup\'s own write on a full disk is the one line a full domain gets, exit 3; other errors pass', async (t) => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' })
  const e = fullDiskError(full, '20261208T010000Z')
  t.ok(e instanceof ClaraError)
  t.match(e, { exitCode: EXIT.FATAL, code: 'ENOSPC', message: 'the backup filesystem is full (ENOSPC: no space left on device, write): free space, then finish the run with --resume 20261208T010000Z' })
  const other = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
  t.equal(fullDiskError(other, 'x'), other)
})
