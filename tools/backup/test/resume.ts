/**
 * Interrupted runs with the real bins: one killed (SIGKILL to its process group) during the compiled
 * domain and resumed equals an uninterrupted run unit for unit by sha256; the dead run's lock is
 * taken over with a note; the umask holds for files written before the kill; SIGTERM to clara-backup
 * alone stops the whole domain pipeline.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { isTempName } from '@clara/shared/atomic'
import { BACKUP_ALL, backup, backupArgs, dirModes, entries, files, freezeWhen, latest, lockOf, makeFixture, readJson, runEnv, waitFor, type Entry, type Fixture } from './helpers.js'

let f: Fixture
let ref: string
const PADDING = () => path.join(f.clara, 'clara_compiled/60/padding.dat')
t.before(async () => {
  f = await makeFixture('resume')
  // for the first test, one compiled unit made slow to write (32 MB that deflate cannot shrink much), so that
  // the others are finished well before it: without fsyncs the small units take milliseconds
  writeFileSync(PADDING(), randomBytes(24 << 20).toString('base64'))
  const r = await backup(f, path.join(f.dir, 'reference'))
  if (r.code !== 1) throw new Error(`reference run exited ${r.code}: ${r.stderr}`)
  ref = latest(path.join(f.dir, 'reference'))!
})
t.teardown(() => f?.cleanup())

/** Start a run in its own process group (niced: it yields the CPU to the test watching it); resolves its exit once it ends. */
function start(root: string, args: string[], umask = '000', nice = false) {
  const child = spawn('bash', ['-c', `umask ${umask}; exec ${nice ? 'nice -n 19 ' : ''}"$0" "$@"`, BACKUP_ALL, ...backupArgs(f, root, args)], { env: runEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (c) => (stderr += c))
  child.stdout!.resume()
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return { child, stderr: () => stderr, done }
}

const runDirOf = (root: string) => path.join(root, readdirSync(root).find((n) => /^\d{8}T\d{6}Z$/.test(n))!)

/** Units that finished (their metadata.json is written last) in a domain folder. */
const finished = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((u) => existsSync(path.join(dir, u, 'metadata.json'))) : [])

/** Index entries keyed by domain/unit/file; the dump's name carries its time, so it is keyed by engine. */
function byKey(run: string): Map<string, Entry> {
  return new Map(entries(run).map((e) => [e.domain === 'db' ? `db/${path.extname(e.path)}` : `${e.domain}/${e.unit}/${path.basename(e.path)}`, e]))
}

t.test('a run SIGKILLed during the compiled domain, resumed, equals an uninterrupted run unit for unit', async (t) => {
  const root = path.join(f.dir, 'killed')
  const s = start(root, ['--workers', '1', '--jobs', '1'], '000', true)
  await waitFor(() => /domain 2\/7: compiled/.test(s.stderr()) && existsSync(root), 90_000, 'the compiled domain')
  const run = runDirOf(root)
  // the run is stepped (stopped at each check), so the kill lands where the check saw it: after the first
  // compiled unit, while unit 60 (padded) is still being written, before the domain's index
  await freezeWhen(s.child.pid!, () => finished(path.join(run, 'compiled_exports')).length > 0, 90_000, 'the first compiled unit')
  process.kill(-s.child.pid!, 'SIGKILL')
  await s.done
  t.notOk(existsSync(path.join(run, 'manifest.json')), 'killed: no manifest')
  t.notOk(existsSync(path.join(run, 'compiled_exports', 'index.json')), 'killed inside the compiled domain')
  t.equal(latest(root), null, 'latest never pointed at the unfinished run')
  // source's flush may still have been going on at the kill (it runs beside the next domain)
  t.ok(Object.keys(readJson(path.join(run, 'durable.json')).domains).every((d) => d === 'source_exports'), 'only the domain done before the kill may be marked durable, not the one killed')
  t.equal(readJson(lockOf(root)).pid, s.child.pid, 'the dead run left its lock behind')
  for (const [rel, st] of files(run)) t.equal(Number(st.mode) & 0o027, 0, `${rel}: umask 027 held before any chmod (the run was started with umask 000)`)
  for (const [rel, mode] of dirModes(run)) t.equal(mode & 0o027, 0, `${rel}/: umask 027`)
  const kept = new Map([...files(path.join(run, 'source_exports'))].map(([k, st]) => [k, st.ino]))

  const part = await backup(f, root, ['--resume', path.basename(run), '--domains', 'source'])
  t.equal(part.code, 3, 'a resume of one domain: the interrupted compiled domain is still incomplete', { stderr: part.stderr })
  t.match(part.run.domains, { source_exports: { units: 7 }, compiled_exports: { incomplete: true } })
  t.equal(latest(root), null, 'latest not switched')

  const r = await backup(f, root, ['--resume', path.basename(run)])
  t.equal(r.code, 1, 'exit 1', { stderr: r.stderr })
  t.match(part.stderr, new RegExp(`took over a stale lock .*pid ${s.child.pid} is not running`), 'the stale lock is taken over, with a note')
  t.match(r.stderr, new RegExp(`resuming run ${path.basename(run)}`))
  t.equal(latest(root), run, 'latest switched to the resumed run')
  t.match(r.run, { run_id: path.basename(run), resumed: true, status: 'partial' })
  t.same([...files(run).keys()].filter((k) => isTempName(path.basename(k))), [], 'no temp file left')
  for (const [k, ino] of kept) if (!k.endsWith('.json')) t.equal(files(path.join(run, 'source_exports')).get(k)?.ino, ino, `source_exports/${k} kept from before the kill`)

  const a = byKey(ref)
  const b = byKey(run)
  t.same([...b.keys()].sort(), [...a.keys()].sort(), 'the same units and artifacts')
  for (const [k, e] of a) t.equal(b.get(k)?.sha256, e.sha256, `${k}: same sha256`)
  const ma = readJson(path.join(ref, 'manifest.json'))
  for (const [d, x] of Object.entries<any>(ma.domains)) t.match(r.run.domains[d], { units: x.units, bytes: x.bytes, failures: x.failures }, `${d}: same totals`)
})

t.test('SIGTERM to clara-backup alone stops the domain pipeline it runs: exit 130, no manifest, no process left', async (t) => {
  const root = path.join(f.dir, 'terminated')
  // the first test's padding only slows the stop down (a 32 MB deflate under way): not this test's subject
  rmSync(PADDING(), { force: true })
  // --jobs 1: legacy would start beside compiled otherwise, before the signal
  const s = start(root, ['--domains', 'compiled,legacy', '--workers', '1', '--jobs', '1'], '027')
  await waitFor(() => /domain 1\/2: compiled/.test(s.stderr()), 60_000, 'the compiled domain')
  const mine = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/environ`, 'utf8').includes(`DEST=${runDirOf(root)}`)
    } catch {
      return false
    }
  })
  // the signal must find the domain's pipeline running: wait until its processes are there (not a fixed time)
  await waitFor(() => mine().length > 0, 60_000, 'the compiled domain’s pipeline')
  process.kill(s.child.pid!, 'SIGTERM')
  const end = await s.done
  t.equal(end.code, 130, 'exit 130', { stderr: s.stderr() })
  t.match(s.stderr(), /interrupted: finish it with --resume \d{8}T\d{6}Z/)
  t.notOk(existsSync(path.join(runDirOf(root), 'manifest.json')))
  t.notOk(existsSync(path.join(runDirOf(root), 'legacy_zips')), 'no domain started after the signal')
  t.notOk(existsSync(lockOf(root)), 'the lock was released')
  await waitFor(() => mine().length === 0, 30_000, 'the domain pipeline to end').catch(() => {})
  t.same(mine(), [], 'no tool of the run is still running')
})
