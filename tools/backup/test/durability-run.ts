/**
 * Grouped fsyncs in whole runs with the real bins (issue 16). Under strace: a domain script run by hand
 * fsyncs every artifact; the same domain under clara-backup fsyncs none of them, and the run's sequence is
 * durable.json (the boot id), then per domain a syncfs before its mark, then a last syncfs, then
 * manifest.json. Resume, with the boot id injected (CLARA_BACKUP_BOOT_ID_FILE): a domain left unmarked by
 * an attempt that stopped before its flush is kept unit for unit in the same boot, rebuilt after a reboot.
 */
import t from 'tap'
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { binPath, spawnTool } from '@clara/shared/testkit-spawn'
import { backup, backupArgs, makeFixture, readJson, REPO, runEnv, type Fixture } from './helpers.js'

let f: Fixture
t.before(async () => {
  f = await makeFixture('durable')
})
t.teardown(() => f?.cleanup())

const DOMAINS = ['--domains', 'source,compiled', '--jobs', '1']
const runOf = (root: string) => path.join(root, readdirSync(root).find((n) => /^\d{8}T\d{6}Z$/.test(n))!)

/** The flush calls of a strace -f -y log: each fsync/fdatasync with the path it flushed, each syncfs. */
function flushes(log: string): { call: string; path: string }[] {
  const out: { call: string; path: string }[] = []
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /\b(fsync|fdatasync|syncfs)\(\d+<([^>]*)>/.exec(line)
    if (m) out.push({ call: m[1], path: m[2] })
  }
  return out
}

const strace = (log: string, cmd: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnTool('strace', ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync,syncfs', '-o', log, cmd, ...args], { env })

t.test('by hand, every artifact is fsynced; under clara-backup none is, and each domain is flushed before its mark, the manifest last', async (t) => {
  const dest = path.join(f.dir, 'by-hand')
  const handLog = path.join(f.dir, 'by-hand.strace')
  const hand = await strace(handLog, path.join(REPO, 'scripts/backup_source.sh'), [], runEnv({ CLARA: f.clara, DATABASE_URL: f.db, DEST: dest }))
  t.ok(hand.code === 0 || hand.code === 1, hand.stderr)
  const units = readdirSync(path.join(dest, 'source_exports')).filter((u) => u !== 'index.json' && u !== 'failures.json').length
  const handSyncs = flushes(handLog).filter((s) => s.call !== 'syncfs' && s.path.startsWith(path.join(dest, 'source_exports')))
  t.ok(units > 0 && handSyncs.length >= 2 * units, `by hand: ${handSyncs.length} fsyncs in source_exports for ${units} units`)

  const root = path.join(f.dir, 'traced')
  const log = path.join(f.dir, 'run.strace')
  const r = await strace(log, binPath('clara-backup'), backupArgs(f, root, [...DOMAINS, '--quiet']), runEnv())
  t.ok(r.code === 0 || r.code === 1, r.stderr)
  const run = runOf(root)
  const all = flushes(log)
  const inDomains = all.filter((s) => s.call !== 'syncfs' && ['source_exports', 'compiled_exports'].some((d) => s.path.startsWith(path.join(run, d))))
  t.same(inDomains, [], 'no fsync or fdatasync of anything in the domains’ folders')
  // D: durable.json written, S: a syncfs, M: manifest.json written
  const seq = all.map((s) => (s.call === 'syncfs' ? 'S' : /\/\.durable\.json\.\d+\.[0-9a-f]+\.tmp$/.test(s.path) ? 'D' : /\/\.manifest\.json\.\d+\.[0-9a-f]+\.tmp$/.test(s.path) ? 'M' : '')).join('')
  // a domain's flush may still run when the next domain flushes: the k-th mark follows at least k flushes
  t.match(seq, /^D[SD]{4}SM$/, `the boot id first; two flushes and two marks; a last flush; the manifest (${seq})`)
  const marks = [...seq].map((c, i) => (c === 'D' ? seq.slice(0, i).split('S').length - 1 : -1)).filter((n) => n >= 0)
  t.same(marks.map((flushed, k) => flushed >= k), [true, true, true], 'each mark after a flush of its own')
  const doc = readJson(path.join(run, 'durable.json'))
  t.same(Object.keys(doc.domains), ['compiled_exports', 'source_exports'], 'both domains marked')
  t.equal(doc.boot_id, readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), 'the boot id of the machine')
})

/**
 * A finished run of source and compiled under boot A, turned into what an attempt killed in the compiled
 * domain before its flush leaves: no manifest, no compiled index, no compiled mark.
 */
async function stoppedRun(tag: string, bootFile: string): Promise<{ root: string; run: string }> {
  const root = path.join(f.dir, tag)
  const r = await backup(f, root, DOMAINS, { env: runEnv({ CLARA_BACKUP_BOOT_ID_FILE: bootFile }) })
  if (r.code !== 0 && r.code !== 1) throw new Error(`run exited ${r.code}: ${r.stderr}`)
  const run = runOf(root)
  rmSync(path.join(run, 'manifest.json'))
  rmSync(path.join(run, 'compiled_exports', 'index.json'))
  const doc = readJson(path.join(run, 'durable.json'))
  delete doc.domains.compiled_exports
  writeFileSync(path.join(run, 'durable.json'), JSON.stringify(doc))
  return { root, run }
}

/** Inode of each finished unit's metadata.json in a domain folder. */
const unitInodes = (dir: string) =>
  new Map(readdirSync(dir).filter((u) => statSync(path.join(dir, u)).isDirectory()).map((u) => [u, statSync(path.join(dir, u, 'metadata.json')).ino]))

t.test('resume in the same boot: the unmarked domain is flushed and its finished units kept', async (t) => {
  const boot = path.join(f.dir, 'boot-a')
  writeFileSync(boot, 'aaaaaaaa-0000-4000-8000-000000000001\n')
  const { root, run } = await stoppedRun('same-boot', boot)
  const compiled = unitInodes(path.join(run, 'compiled_exports'))
  // a unit with a failure is tried again on resume, as always
  const failed = new Set(readJson(path.join(run, 'compiled_exports', 'failures.json')).failures.map((x: any) => String(x.unit)))
  const r = await backup(f, root, ['--resume', path.basename(run), ...DOMAINS], { env: runEnv({ CLARA_BACKUP_BOOT_ID_FILE: boot }) })
  t.ok(r.code === 0 || r.code === 1, r.stderr)
  t.notMatch(r.stderr, /rebuilt/)
  const now = unitInodes(path.join(run, 'compiled_exports'))
  const kept = [...compiled].filter(([u]) => !failed.has(u))
  t.ok(kept.length > 0, `${kept.length} finished units without a failure`)
  for (const [u, ino] of kept) t.equal(now.get(u), ino, `compiled_exports/${u}: kept (same inode)`)
  t.same(Object.keys(readJson(path.join(run, 'durable.json')).domains), ['compiled_exports', 'source_exports'])
  t.equal(r.run?.domains.compiled_exports.units, compiled.size)
})

t.test('resume after a reboot: the unmarked domain is rebuilt, with one line saying why; the marked one kept', async (t) => {
  const [a, b] = [path.join(f.dir, 'boot-1'), path.join(f.dir, 'boot-2')]
  writeFileSync(a, 'aaaaaaaa-0000-4000-8000-000000000001\n')
  writeFileSync(b, 'bbbbbbbb-0000-4000-8000-000000000002\n')
  const { root, run } = await stoppedRun('rebooted', a)
  const compiled = unitInodes(path.join(run, 'compiled_exports'))
  const source = unitInodes(path.join(run, 'source_exports'))
  const r = await backup(f, root, ['--resume', path.basename(run), ...DOMAINS], { env: runEnv({ CLARA_BACKUP_BOOT_ID_FILE: b }) })
  t.ok(r.code === 0 || r.code === 1, r.stderr)
  t.equal(r.stderr.split('\n').filter((l) => /rebuilt/.test(l)).length, 1, 'one line')
  t.match(r.stderr, /compiled_exports: rebuilt: the interrupted attempt wrote it without flushing it to disk and the machine has rebooted since/)
  const now = unitInodes(path.join(run, 'compiled_exports'))
  t.same([...now.keys()].sort(), [...compiled.keys()].sort(), 'the same units')
  for (const [u, ino] of compiled) t.not(now.get(u), ino, `compiled_exports/${u}: rebuilt`)
  t.same(unitInodes(path.join(run, 'source_exports')), source, 'source_exports (flushed and marked) kept')
  const doc = readJson(path.join(run, 'durable.json'))
  t.equal(doc.boot_id, 'bbbbbbbb-0000-4000-8000-000000000002')
  t.same(Object.keys(doc.domains), ['compiled_exports', 'source_exports'])
  t.equal(r.run?.domains.compiled_exports.units, compiled.size)
})
