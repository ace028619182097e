/**
 * What the flags do, on the SQLite fixture with the real bins: --dry-run writes nothing and prints
 * the plan; --only/--skip/--text-types/--checksums/--workers/--existing reach the tools; --encrypt-to
 * (decrypted again: the same bytes); --quiet and --log-json reach the tools; the TTY progress line.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { binPath } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { backup, backupArgs, entries, files, indexSums, latest, lockOf, makeFixture, readJson, runEnv, sha256File, type Fixture } from './helpers.js'

let f: Fixture
t.before(async () => {
  f = await makeFixture('options')
})
t.teardown(() => f?.cleanup())

t.test('--dry-run writes nothing, takes no lock, and prints the plan as records', async (t) => {
  const root = path.join(f.dir, 'dry')
  const r = await backup(f, root, ['--dry-run'])
  t.equal(r.code, 1, 'project 12 would fail: exit 1 (a plan with a failure)')
  t.notOk(existsSync(root), 'no backup root, no run directory')
  t.notOk(existsSync(lockOf(root)), 'no lock')
  const planned = r.records.filter((x) => x.type === 'artifact')
  t.ok(planned.length > 15)
  t.ok(planned.every((x) => x.planned === true), 'every artifact is planned: true')
  const units = (d: string) => [...new Set(planned.filter((x) => x.domain === d).map((x) => x.unit))].sort()
  t.same(units('source_exports'), ['12', '37', '5', '55', '60', '61', 'orphan-Orphan_no_db_row_77'])
  t.same(units('legacy_zips'), ['peter_rabbit_lara', 'proust_vol1'])
  t.ok(units('media').length >= 5 && units('compiled_exports').length === 4)
  t.same(units('audio_cache'), ['orm_db/tts_metadata_local.db', 'tts_audio_part_0001'], 'the shards and the legacy audio DB copy (clara-pgdump --sqlite-files --dry-run)')
  const db = planned.filter((x) => x.domain === 'db')
  t.match(db, [{ unit: /^clara_db_\d{8}_\d{6}\.sqlite3$/, path: /^db\/clara_db_\d{8}_\d{6}\.sqlite3$/, engine: 'sqlite', size_estimated: true }], 'db: the dump, planned')
  t.ok(db[0].tables > 10 && db[0].rows > 0 && db[0].size_bytes === statSync(path.join(f.clara, 'db.sqlite3')).size, 'db: tables, rows, the size of the database file')
  t.same(units('infra'), ['.env.sample', 'git_info.txt', 'settings_snapshot.txt'], 'infra: its files, planned')
  t.match(r.records.filter((x) => x.type === 'error'), [{ domain: 'compiled_exports', unit: '12', code: 'EUNRESOLVED' }], 'the failure it would record')
  t.same(r.records.filter((x) => x.type === 'warning' && x.during === 'dry-run'), [], 'every domain planned: none left out')
  t.match(r.records.filter((x) => x.type === 'summary' && ['clara-pgdump', 'clara-infra'].includes(x.tool)), [{ planned: true }, { planned: true }, { planned: true }])
  t.equal(r.records.at(-1).type, 'end')
  t.notOk(r.records.some((x) => x.type === 'run'), 'no manifest')
  t.match(r.stderr, /dry run: \d+ artifacts planned \(0 reused\), [\d.]+ MB \([\d.]+ MB new\), 1 error, not stored \(secret, no --encrypt-to\): media\/readspeaker_key; nothing was written\n/)
  t.match(r.records.filter((x) => x.type === 'not_stored'), [{ domain: 'media', unit: 'readspeaker_key' }], 'the secret unit a run without --encrypt-to leaves out')
})

t.test('--only, --skip, --text-types, --checksums, --workers and --existing reach the tools; --quiet too', async (t) => {
  const root = path.join(f.dir, 'flags')
  const args = ['--domains', 'source,compiled', '--only', '37,12', '--skip', '12', '--text-types', 'normal,questionnaire', '--checksums', '--workers', '1', '--quiet']
  const r = await backup(f, root, args)
  t.equal(r.code, 0, 'exit 0', { stderr: r.stderr })
  t.equal(r.stderr, '', '--quiet: nothing on stderr, from clara-backup or the tools')
  const run = path.join(root, r.run.run_id)
  t.same(Object.keys(indexSums(run)).sort(), ['compiled_exports', 'source_exports'])
  t.same(entries(run).map((e) => `${e.domain}/${e.path}`).sort(), [
    'compiled_exports/37/compiled_normal.zip',
    'compiled_exports/37/compiled_questionnaire.zip',
    'source_exports/37/source.zip',
  ], '--only 37,12 --skip 12: project 37 alone; --text-types: no phonetic zip')
  const meta = readJson(path.join(run, 'source_exports/37/metadata.json'))
  t.ok(meta.members?.length > 0 && meta.members.every((m: any) => /^[0-9a-f]{64}$/.test(m.sha256)), '--checksums: member digests recorded')
  t.same(r.run.selection, { only: ['37', '12'], skip: ['12'], text_types: 'normal,questionnaire', domains: ['source', 'compiled'], full: false })
  t.equal(latest(root), null, 'a selective run does not become latest')

  const ino = () => files(run).get('source_exports/37/source.zip')!.ino
  const before = ino()
  const resume = ['--resume', r.run.run_id, '--domains', 'source', '--only', '37', '--quiet']
  t.equal((await backup(f, root, resume)).code, 0)
  t.equal(ino(), before, '--existing skip (default): the finished unit is kept')
  t.equal((await backup(f, root, [...resume, '--existing', 'overwrite'])).code, 0)
  t.not(ino(), before, '--existing overwrite: rebuilt')
  t.match(readJson(path.join(run, 'manifest.json')).domains, { source_exports: { units: 1 }, compiled_exports: { units: 1 } }, 'the manifest of a resumed run covers every domain it holds')
})

t.test('--encrypt-to: db/, infra/ and the secret unit stored encrypted; decrypted they are the plaintext run', async (t) => {
  const keyFile = path.join(f.dir, 'age.key')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  const pub = readFileSync(keyFile, 'utf8').match(/public key: (age1\S+)/)![1]
  const domains = ['--domains', 'db,infra,media', '--quiet']
  const plain = await backup(f, path.join(f.dir, 'plain'), domains)
  const enc = await backup(f, path.join(f.dir, 'enc'), [...domains, '--encrypt-to', pub])
  t.equal(plain.code, 0, 'exit 0', { stderr: plain.stderr })
  t.equal(enc.code, 0, 'exit 0', { stderr: enc.stderr })
  const pRun = path.join(f.dir, 'plain', plain.run.run_id)
  const eRun = path.join(f.dir, 'enc', enc.run.run_id)
  const stored = entries(eRun)
  for (const e of stored) t.equal(sha256File(e.file), e.sha256, `${e.domain}/${e.path}: the index holds the stored bytes’ sha256`)
  const enc_ = stored.filter((e) => e.path.endsWith('.age')).map((e) => `${e.domain}/${path.basename(e.path)}`)
  t.ok(enc_.some((p) => p.startsWith('db/')) && enc_.some((p) => p.startsWith('infra/')) && enc_.includes('media/media.zip.age'), `encrypted: ${enc_.join(', ')}`)
  t.same(stored.filter((e) => e.domain !== 'media' && !e.path.endsWith('.age')), [], 'nothing of db/ or infra/ in plaintext')
  t.notOk([...files(eRun).keys()].some((k) => /readspeaker/i.test(k) && !k.endsWith('.age') && !k.endsWith('metadata.json') && !k.endsWith('index.json')), 'the key unit has no plaintext archive')
  const sums = indexSums(eRun)
  for (const [d, s] of Object.entries(sums)) t.match(enc.run.domains[d], { units: s.units, bytes: s.bytes }, `${d}: manifest bytes = index sums after encryption`)

  const out = path.join(f.dir, 'decrypted')
  execFileSync(binPath('clara-encrypt'), ['--decrypt', '--identity', keyFile, '--run', eRun, '--out', out, '--quiet'], { env: runEnv() })
  const byName = (run: string) => new Map(entries(run).map((e) => [`${e.domain}/${e.unit}/${path.basename(e.path)}`.replace(/\d{8}_\d{6}/g, 'TS'), e]))
  const p = byName(pRun)
  const d = byName(out)
  const key = (k: string) => k.startsWith('media/readspeaker_key/')
  t.same([...d.keys()].filter((k) => !key(k)).sort(), [...p.keys()].sort(), 'the decrypted run has the plaintext run’s artifacts')
  t.ok([...d.keys()].some(key) && ![...p.keys()].some(key), 'and the secret key unit, which a run without --encrypt-to leaves out')
  for (const [k, e] of p) t.ok(readFileSync(e.file).equals(readFileSync(d.get(k)!.file)), `${k}: decrypted bytes equal the plaintext run’s`)
})

t.test('--log-json reaches the tools: every stderr line is a JSON log line', async (t) => {
  const r = await backup(f, path.join(f.dir, 'tty'), ['--domains', 'legacy,media', '--log-json'])
  t.equal(r.code, 0, 'exit 0', { stderr: r.stderr })
  const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l))
  const names = new Set(lines.map((l) => l.name))
  t.ok(names.has('clara-backup') && names.has('clara-zip-unit'), [...names].join(', '))
  t.ok(lines.every((l) => typeof l.level === 'number' && typeof l.msg === 'string'))
  t.match(lines.find((l) => l.name === 'clara-backup' && l.domain === 'legacy_zips'), { units: 2, reused: 0, seconds: Number }, 'the summary, as fields')
})

t.test('on a TTY: one live line with the domain, unit n of N (from the previous run), bytes, rate and ETA', async (t) => {
  const root = path.join(f.dir, 'tty')
  // --rescan: the domains are unchanged, and would otherwise be reused whole without a tool started
  const argv = backupArgs(f, root, ['--domains', 'legacy,media', '--rescan'])
  // The --log-json run above is the previous run here (selective runs leave latest alone: point it by hand).
  const first = readdirSync(root).find((n) => /^\d{8}T\d{6}Z$/.test(n))!
  symlinkSync(first, path.join(root, 'latest'))
  const r = await runMain(main, { argv, env: runEnv(), isTTY: true })
  t.equal(r.code, 0, 'exit 0', { stderr: r.stderr })
  t.match(r.stderr, /\r\x1b\[Kclara-backup: \[1\/2 legacy\] 0\/2 units, 0 B, 0 B\/s/, 'the live line starts with the domain and N')
  t.match(r.stderr, /\r\x1b\[Kclara-backup: \[2\/2 media\] \d+\/\d+ units, /)
  t.match(r.stderr, /\r\x1b\[K\[legacy\] clara-zip-unit: 2 units \(2 reused\)/, 'a tool’s line wipes the live line first, and names its domain')
  t.match(r.stderr, /legacy_zips +2 units +2 reused/, 'the summary')
  t.notMatch(r.stderr, /"msg":"progress"/)
})
