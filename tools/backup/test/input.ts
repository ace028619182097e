/**
 * Bad input on the backup side and secrets (issue 15 items 8, 9), on the SQLite fixture with the real bins:
 * --quiet prints nothing but fatal lines; with --jobs 2 each tool line names its own domain; a full
 * backup disk ends in one line, exit 3; a file that keeps changing while read fails its unit, which leaves no folder;
 * a secret unit (the ReadSpeaker key) is stored only encrypted, or else left out, recorded as not stored, and
 * listed by clara-restore as to be provided.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { filesUnder } from '@clara/shared/testkit'
import { binPath, spawnTool } from '@clara/shared/testkit-spawn'
import { tagLine } from '../src/progress.js'
import { backup, files, makeFixture, readJson, runEnv, type Fixture } from './helpers.js'

let f: Fixture
t.before(async () => {
  f = await makeFixture('input')
})
t.teardown(() => f?.cleanup())

t.test('tagLine: a text line gets its domain in front, a JSON line a domain field', async (t) => {
  t.equal(tagLine('clara-zip-unit: 4 units', 'compiled'), '[compiled] clara-zip-unit: 4 units')
  t.same(JSON.parse(tagLine('{"level":50,"name":"clara-zip-unit","msg":"x"}', 'source')), { level: 50, name: 'clara-zip-unit', msg: 'x', domain: 'source' })
  t.equal(tagLine('{not json', 'db'), '[db] {not json')
})

t.test('--jobs 2: every line of a tool names its own domain', async (t) => {
  const r = await backup(f, path.join(f.dir, 'jobs'), ['--domains', 'source,compiled', '--jobs', '2'])
  t.equal(r.code, 1, 'project 12 fails in compiled: exit 1', { stderr: r.stderr })
  const toolLines = r.stderr.split('\n').filter((l) => l && !l.startsWith('clara-backup: '))
  t.ok(toolLines.length > 0, 'the tools said something')
  t.same(toolLines.filter((l) => !/^\[(source|compiled)\] clara-[a-z-]+: /.test(l)), [], 'each tool line starts with [domain]')
  t.match(toolLines.filter((l) => l.includes('EUNRESOLVED') || l.includes('unresolved')), [/^\[compiled\] /], "the compiled failure is under compiled's name")
  t.ok(toolLines.some((l) => l.startsWith('[source] ')) && toolLines.some((l) => l.startsWith('[compiled] ')), 'both domains spoke, each under its name')
})

t.test('--quiet: a partial run prints nothing at all (its failures are in failures.json)', async (t) => {
  const r = await backup(f, path.join(f.dir, 'quiet'), ['--domains', 'source,compiled', '--quiet'])
  t.equal(r.code, 1, 'exit 1: project 12 failed')
  t.equal(r.stderr, '', 'not one non-fatal line')
  t.match(r.run, { status: 'partial', totals: { failures: 1 } })
})

t.test('a backup disk that is full for clara-backup itself: one line, exit 3, no stack trace', async (t) => {
  // every write through our atomic layer fails with ENOSPC, in each process: the tools and clara-backup's own documents
  const r = await backup(f, path.join(f.dir, 'full'), ['--domains', 'infra'], { env: runEnv({ CLARA_FAULT_ENOSPC_AFTER: '0' }) })
  t.equal(r.code, 3, r.stderr)
  t.notMatch(r.stderr, /^(\[infra\] )?\s+at /m, 'no stack trace, from clara-backup or its tools')
  // the run's first write is clara-backup's own durable.json (the boot id, before any domain starts)
  t.match(r.stderr, /^clara-backup: the backup filesystem is full \(ENOSPC: no space left on device, write '[^']+\/\.durable\.json\.[^']+'.*\): free space, then finish the run with --resume \d{8}T\d{6}Z$/m, 'one line naming the file, and what to do')
  t.match(r.stderr.trim().split('\n').at(-1), /^clara-backup: .*ENOSPC/, 'the last line says the disk is full')
})

t.test('a file that keeps changing while read: its unit is retried once, then a failure; no folder is left, so verify finds no unfinished unit', async (t) => {
  // the fault hook appends a byte to the file before every read of it (driven by the test, not a race)
  const file = filesUnder(path.join(f.clara, 'clara_content')).find((p) => /_37\/.+\.txt$/.test(p))
  if (!file) throw new Error('the fixture has no text file of project 37')
  const env = runEnv({ CLARA_FAULT_INJECT: `GROW:${file}` })
  const root = path.join(f.dir, 'changing')
  const r = await backup(f, root, ['--domains', 'source'], { env })
  t.equal(r.code, 1, 'exit 1: one unit failed', { stderr: r.stderr })
  const run = path.join(root, r.run.run_id)
  const failures = readJson(path.join(run, 'source_exports/failures.json')).failures
  t.match(failures, [{ unit: '37', code: 'ECHANGED', message: /changed while being read.*\(retried once\)/ }])
  t.notOk(existsSync(path.join(run, 'source_exports/37')), 'no folder for the failed unit')
  t.ok(existsSync(path.join(run, 'source_exports/5/metadata.json')), 'the other units are done')
  const v = await spawnTool(binPath('clara-verify'), [run, '--quiet'], { env: runEnv(), timeoutMs: 120_000 })
  const units = v.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((x) => x.type === 'verdict' && x.check === 'unit')
  t.ok(units.length >= 5, 'verify looked at the units')
  t.same(units.filter((x) => !x.ok), [], 'no unit verdict fails (an empty folder was "unfinished: no metadata.json")')
})

t.test('an audio file that keeps changing: clara-shard retries it once, then one failure (counted once), the shard holds the rest', async (t) => {
  const mp3 = filesUnder(path.join(f.clara, 'audio')).find((p) => p.endsWith('.mp3'))
  if (!mp3) throw new Error('the fixture has no audio file')
  const env = runEnv({ CLARA_FAULT_INJECT: `GROW:${mp3}` })
  const root = path.join(f.dir, 'changing-audio')
  const r = await backup(f, root, ['--domains', 'audio'], { env })
  t.equal(r.code, 1, 'exit 1', { stderr: r.stderr })
  const failures = readJson(path.join(root, r.run.run_id, 'audio_cache/failures.json')).failures
  t.match(failures, [{ code: 'ECHANGED', item: path.basename(mp3), message: /changed while being read/ }])
  t.equal(failures.length, 1, 'one failure, not the same one twice (clara-shard writes `during`, the error record says it too)')
  t.equal(r.run.totals.failures, 1, 'the manifest counts it once')
})

t.test('secret units: without --encrypt-to the key is left out, recorded as not stored, and a restore lists it as to be provided', async (t) => {
  const KEY = 'clara_app/clara_core/readspeaker_license_key.txt'
  const secret = readFileSync(path.join(f.clara, KEY))
  t.ok(secret.length > 0, 'the fixture has a ReadSpeaker key')
  const root = path.join(f.dir, 'secret')
  const r = await backup(f, root, ['--domains', 'media'])
  t.equal(r.code, 0, 'a deliberate omission is not a failure: exit 0', { stderr: r.stderr })
  const run = path.join(root, r.run.run_id)
  t.notOk(existsSync(path.join(run, 'media/readspeaker_key')), 'no folder for the key unit')
  for (const [rel] of files(run)) t.notOk(readFileSync(path.join(run, rel)).includes(secret), `${rel} does not hold the key`)
  t.match(readJson(path.join(run, 'media/index.json')).not_stored, [{ unit: 'readspeaker_key', reason: /secret.*--encrypt-to/, restore_to: [KEY] }])
  t.same(r.run.domains.media.not_stored, ['readspeaker_key'], 'the manifest names it')
  t.equal(r.run.status, 'complete')
  t.match(r.stderr, /^clara-backup: not stored: media\/readspeaker_key \(secret, stored only encrypted: give --encrypt-to/m)

  const to = path.join(f.dir, 'secret-restored')
  const back = await spawnTool(binPath('clara-restore'), [run, '--to', to, '--domains', 'media'], { env: runEnv(), timeoutMs: 120_000 })
  t.equal(back.code, 0, back.stderr)
  const report = readJson(path.join(to, 'restore_report.json'))
  t.match(report.to_provide, [{ domain: 'media', unit: 'readspeaker_key', restore_to: [KEY] }], 'restore_report.json lists it as to be provided')
  t.equal(report.to_provide.length, 1)
  t.match(back.stderr, /media\/readspeaker_key: not in the backup .*provide clara_app\/clara_core\/readspeaker_license_key\.txt by hand/)
  t.notOk(existsSync(path.join(to, KEY)), 'nothing restored in its place')
  t.ok(existsSync(path.join(to, 'clara_app/config.ini')), 'the other media units are restored')
})

t.test('secret units with --encrypt-to: stored, and only encrypted', async (t) => {
  const keyFile = path.join(f.dir, 'secret-age.key')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  const pub = readFileSync(keyFile, 'utf8').match(/public key: (age1\S+)/)![1]
  const secret = readFileSync(path.join(f.clara, 'clara_app/clara_core/readspeaker_license_key.txt'))
  const root = path.join(f.dir, 'secret-enc')
  const r = await backup(f, root, ['--domains', 'media', '--encrypt-to', pub])
  t.equal(r.code, 0, r.stderr)
  const run = path.join(root, r.run.run_id)
  const unit = [...files(run).keys()].filter((k) => k.startsWith('media/readspeaker_key/')).sort()
  t.same(unit, ['media/readspeaker_key/media.zip.age', 'media/readspeaker_key/metadata.json'], 'the key unit: its archive encrypted')
  for (const [rel] of files(run)) t.notOk(readFileSync(path.join(run, rel)).includes(secret), `${rel} does not hold the key in clear`)
  t.notOk(readJson(path.join(run, 'media/index.json')).not_stored, 'nothing left out')
  t.notOk(r.run.domains.media.not_stored)
})

t.test('--quiet and a fatal end (encryption refused): exactly one line, saying why', async (t) => {
  const bad = 'age1' + 'z'.repeat(58) // the form of a recipient, with a wrong checksum: age refuses it
  const r = await backup(f, path.join(f.dir, 'encfail'), ['--domains', 'infra', '--quiet', '--encrypt-to', bad])
  t.equal(r.code, 3)
  t.match(r.stderr, /^clara-backup: clara-encrypt failed \(exit \d\): clara-encrypt: .*invalid checksum\n$/, 'one line, with the tool’s reason')
})
