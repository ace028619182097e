/**
 * Interrupted runs with the real bins: one killed (SIGKILL to its process group) during the compiled
 * domain and resumed equals an uninterrupted run unit for unit by sha256; the dead run's lock is
 * taken over with a note; the umask holds for files written before the kill; SIGTERM to clara-backup
 * alone stops the whole domain pipeline.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { isTempName } from '@clara/shared/atomic'
import { BACKUP_ALL, backup, backupArgs, dirModes, entries, files, latest, lockOf, makeFixture, readJson, runEnv, waitFor, type Entry, type Fixture } from './helpers.js'

let f: Fixture
let ref: string
t.before(async () => {
  f = await makeFixture('resume')
  const r = await backup(f, path.join(f.dir, 'reference'))
  if (r.code !== 1) throw new Error(`reference run exited ${r.code}: ${r.stderr}`)
  ref = latest(path.join(f.dir, 'reference'))!
})
t.teardown(() => f?.cleanup())

/** Start a run in its own process group; resolves its exit once it ends. */
function start(root: string, args: string[], umask = '000', env: NodeJS.ProcessEnv = {}) {
  const child = spawn('bash', ['-c', `umask ${umask}; exec "$0" "$@"`, BACKUP_ALL, ...backupArgs(f, root, args)], { env: runEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (c) => (stderr += c))
  child.stdout!.resume()
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return { child, stderr: () => stderr, done }
}

/** An injected fault (shared/src/source-file.ts) that stops the compiled domain at its third unit until the run is killed. */
const HANG_AT_60 = 'HANG:clara_compiled/60/'

const runDirOf = (root: string) => path.join(root, readdirSync(root).find((n) => /^\d{8}T\d{6}Z$/.test(n))!)

/** Units that finished (their metadata.json is written last) in a domain folder. */
const finished = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((u) => existsSync(path.join(dir, u, 'metadata.json'))) : [])

/** Index entries keyed by domain/unit/file; the dump's name carries its time, so it is keyed by engine. */
function byKey(run: string): Map<string, Entry> {
  return new Map(entries(run).map((e) => [e.domain === 'db' ? `db/${path.extname(e.path)}` : `${e.domain}/${e.unit}/${path.basename(e.path)}`, e]))
}

t.test('a run SIGKILLed during the compiled domain, resumed, equals an uninterrupted run unit for unit', async (t) => {
  const root = path.join(f.dir, 'killed')
  // compiled units go 12, 37, 60, 99: the domain stops for good at 60, so the kill lands inside it, however fast the machine
  const s = start(root, ['--workers', '1', '--jobs', '1'], '000', { CLARA_FAULT_INJECT: HANG_AT_60 })
  let run = ''
  await waitFor(() => {
    if (!/domain 2\/7: compiled/.test(s.stderr()) || !existsSync(root)) return false
    run = runDirOf(root)
    return finished(path.join(run, 'compiled_exports')).length > 0
  }, 90_000, 'the first compiled unit')
  process.kill(-s.child.pid!, 'SIGKILL')
  await s.done
  t.notOk(existsSync(path.join(run, 'manifest.json')), 'killed: no manifest')
  t.notOk(existsSync(path.join(run, 'compiled_exports', 'index.json')), 'killed inside the compiled domain')
  t.equal(latest(root), null, 'latest never pointed at the unfinished run')
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

for (const mode of ['thread', 'scripts']) {
  t.test(`SIGTERM to clara-backup alone stops the domain it runs (${mode}): exit 130, no manifest, nothing of the run left running`, async (t) => {
    const root = path.join(f.dir, `terminated-${mode}`)
    // --jobs 1: legacy would start beside compiled otherwise, before the signal; the domain stops for good at unit 60
    const s = start(root, ['--domains', 'compiled,legacy', '--workers', '1', '--jobs', '1'], '027', { CLARA_FAULT_INJECT: HANG_AT_60, CLARA_BACKUP_COMPOSE: mode })
    // the processes of the run's domain tools (the scripts' way), by their environment
    const mine = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== s.child.pid).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'utf8').includes(`DEST=${runDirOf(root)}`)
      } catch {
        return false
      }
    })
    // the signal must find the domain at work: its first units are finished, and it is held at unit 60
    await waitFor(() => existsSync(root) && readdirSync(root).some((n) => /^\d{8}T\d{6}Z$/.test(n)) && finished(path.join(runDirOf(root), 'compiled_exports')).length > 0, 90_000, 'the first compiled unit')
    if (mode === 'scripts') await waitFor(() => mine().length > 0, 60_000, 'the compiled domain’s pipeline')
    process.kill(s.child.pid!, 'SIGTERM')
    const end = await s.done
    t.equal(end.code, 130, 'exit 130', { stderr: s.stderr() })
    t.match(s.stderr(), /interrupted: finish it with --resume \d{8}T\d{6}Z/)
    t.notOk(existsSync(path.join(runDirOf(root), 'manifest.json')))
    t.notOk(existsSync(path.join(runDirOf(root), 'compiled_exports', 'index.json')), 'the compiled domain did not finish')
    t.notOk(existsSync(path.join(runDirOf(root), 'legacy_zips')), 'no domain started after the signal')
    t.notOk(existsSync(lockOf(root)), 'the lock was released')
    await waitFor(() => mine().length === 0, 30_000, 'the domain pipeline to end').catch(() => {})
    t.same(mine(), [], 'no tool of the run is still running')
  })
}
