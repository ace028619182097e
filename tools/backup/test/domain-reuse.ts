/**
 * Whole domains reused: on the SQLite fixture, a second run with nothing changed links every domain
 * but infra without starting a tool, and the run verifies; a change to any input a domain reads
 * (a legacy file, the database, an audio file) makes exactly the domains that read it run again, and
 * the change is in the backup; --rescan and changed options run the tools; every source the listers
 * name lies under the inputs clara-model declares for its domain.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { domainInputs } from '@clara/clara-model/domain-inputs'
import { openDb } from '@clara/shared/db'
import { binPath, spawnTool } from '@clara/shared/testkit-spawn'
import { artifactInodes, backup as backupAll, latest, makeFixture, readJson, runEnv, type Fixture } from './helpers.js'
import { inputsContext, racyWindowMs, RACY_MS, takeInputs } from '../src/domain-reuse.js'
import { DOMAINS } from '../src/domains.js'
import { InputWalker } from '../src/input-walker.js'

let f: Fixture
t.before(async () => {
  f = await makeFixture('reuse')
})
t.teardown(() => f?.cleanup())

/**
 * The fingerprint refuses entries changed within its racy window of the walk. Rather than wait for
 * the fixture and each change to age past it (a busy machine may take longer than the window between
 * a write and the walk, or not), the runs set the window: 0 (every entry changed before the walk is
 * past it) unless a test asks for a day (every entry the test made is inside it).
 */
const DAY_MS = String(24 * 3600 * 1000)
const backup = (f: Fixture, root: string, args: string[] = [], racyMs = '0') => backupAll(f, root, args, { env: runEnv({ CLARA_BACKUP_RACY_MS: racyMs }) })

const root = () => path.join(f.dir, 'backups')
const reusedFrom = (run: string) => Object.fromEntries(Object.entries(readJson(path.join(run, 'manifest.json')).domains).map(([d, x]: [string, any]) => [d, x.reused_from ?? null]))
const ALL_BUT_INFRA = ['source_exports', 'compiled_exports', 'legacy_zips', 'db', 'audio_cache', 'media']

async function verify(t: any, run: string): Promise<void> {
  const v = await spawnTool(binPath('clara-verify'), [run, '--data', 'full', '--quiet'], { env: runEnv() })
  t.equal(v.code, 0, `clara-verify --data full passes on ${path.basename(run)}`, { stderr: v.stderr })
}

t.test('nothing changed: every domain but infra is the previous run’s, linked whole, and the run verifies', async (t) => {
  const first = await backup(f, root())
  t.equal(first.code, 1, 'exit 1 (project 12 has an unresolved reference)', { stderr: first.stderr })
  const prev = latest(root())!
  const inputs = readJson(path.join(prev, 'inputs.json'))
  for (const d of ALL_BUT_INFRA) t.match(inputs.domains[d], { version: 1, domain: d, reusable: true, fingerprint: /^[0-9a-f]{64}$/ }, `${d}: inputs kept`)
  t.notOk(inputs.domains.infra, 'infra keeps none')
  const r = await backup(f, root())
  t.equal(r.code, 1, 'the same exit: the inputs-bound failure comes back with its domain', { stderr: r.stderr })
  const run = latest(root())!
  t.not(run, prev)
  const from = reusedFrom(run)
  for (const d of ALL_BUT_INFRA) t.equal(from[d], path.basename(prev), `${d}: reused whole`)
  t.equal(from.infra, null, 'infra is always run')
  const summaries = r.records.filter((x) => x.type === 'summary' && x.reused_from)
  t.same(summaries.map((x) => x.domain).sort(), [...ALL_BUT_INFRA].sort(), 'one summary record per reused domain')
  const [a, b] = [artifactInodes(prev), artifactInodes(run)]
  for (const [k, ino] of a) if (!k.startsWith('infra/')) t.equal(b.get(k), ino, `${k}: same inode`)
  t.match(readJson(path.join(run, 'failures.json')).failures, [{ domain: 'compiled_exports', unit: '12', code: 'EUNRESOLVED' }], 'the failure is carried')
  t.match(r.run, { status: 'partial', totals: { new_bytes: Number } })
  await verify(t, run)
})

t.test('a changed input runs exactly the domains that read it, and the change is in the backup', async (t) => {
  const prev = latest(root())!
  const legacyDir = path.join(f.clara, 'LARA_legacy')
  const unit = readdirSync(legacyDir).sort()[0]
  const legacyFile = path.join(legacyDir, unit, readdirSync(path.join(legacyDir, unit)).filter((n) => n.includes('.')).sort()[0])
  appendFileSync(legacyFile, '\nchanged by the domain-reuse test\n')
  const db = await openDb(f.db, { readonly: false })
  await db.exec(`UPDATE clara_app_claraproject SET title = title || ' (renamed)' WHERE id = (SELECT min(id) FROM clara_app_claraproject)`)
  await db.close()
  const r = await backup(f, root())
  t.equal(r.code, 1, { stderr: r.stderr })
  const run = latest(root())!
  const from = reusedFrom(run)
  t.same(from, { source_exports: null, compiled_exports: null, legacy_zips: null, db: null, audio_cache: null, media: path.basename(prev), infra: null },
    'the database feeds source, compiled, db and audio; the legacy file its domain; media untouched')
  const [a, b] = [artifactInodes(prev), artifactInodes(run)]
  const legacyKeys = [...b.keys()].filter((k) => k.startsWith('legacy_zips/'))
  t.ok(legacyKeys.some((k) => k.startsWith(`legacy_zips/${unit}/`) && b.get(k) !== a.get(k)), 'the changed legacy unit was rebuilt')
  t.ok(legacyKeys.some((k) => !k.startsWith(`legacy_zips/${unit}/`) && b.get(k) === a.get(k)), 'the other legacy unit is still linked by unit')
  const source = [...b.keys()].filter((k) => k.startsWith('source_exports/'))
  t.ok(source.filter((k) => b.get(k) === a.get(k)).length >= source.length - 2, 'in the source domain, unchanged units are still linked one by one')
  await verify(t, run)
})

t.test('the racy window: an entry changed inside it is refused, outside it trusted (CLARA_BACKUP_RACY_MS)', async (t) => {
  t.equal(racyWindowMs({}), RACY_MS, 'unset: the default window')
  t.equal(RACY_MS, 2000, 'the default is 2 s')
  t.equal(racyWindowMs({ CLARA_BACKUP_RACY_MS: '0' }), 0)
  t.equal(racyWindowMs({ CLARA_BACKUP_RACY_MS: DAY_MS }), 86_400_000)
  for (const bad of ['', 'soon', '-5', '1.5']) t.equal(racyWindowMs({ CLARA_BACKUP_RACY_MS: bad }), RACY_MS, `${JSON.stringify(bad)}: not a window, the default stands`)
  const media = DOMAINS.find((d) => d.dir === 'media')!
  writeFileSync(path.join(f.clara, 'prompt_templates', 'walked-by-test.txt'), 'a template written just now\n')
  const take = async (racyMs: string) => {
    const walker = new InputWalker()
    try {
      return await takeInputs(media, inputsContext(f.clara, f.db, { CLARA_BACKUP_RACY_MS: racyMs }), 'config', walker)
    } finally {
      await walker.close()
    }
  }
  const inside = await take(DAY_MS)
  t.match(inside, { domain: 'media', reusable: false, why: 'an input changed within 86400 s of the walk', fingerprint: /^[0-9a-f]{64}$/ }, 'inside the window: the fingerprint is kept, but proves nothing')
  const outside = await take('0')
  t.match(outside, { domain: 'media', reusable: true, fingerprint: inside!.fingerprint }, 'outside it: the same fingerprint, trusted')
  t.notOk('why' in outside!, 'no reason given')
})

t.test('a change inside the racy window is not trusted: the domain runs, and its inputs are offered only by a later run', async (t) => {
  writeFileSync(path.join(f.clara, 'prompt_templates', 'added-by-test.txt'), 'new template\n')
  const r = await backup(f, root(), [], DAY_MS)
  t.equal(r.code, 1, { stderr: r.stderr })
  const run = latest(root())!
  t.equal(reusedFrom(run).media, null, 'media ran')
  t.match(readJson(path.join(run, 'inputs.json')).domains.media, { reusable: false, why: /within 86400 s of the walk/ })
  const again = await backup(f, root())
  const second = latest(root())!
  t.equal(reusedFrom(second).media, null, 'the next run (the change now outside the window) runs it again, as the previous run offered nothing', { stderr: again.stderr })
  t.match(readJson(path.join(second, 'inputs.json')).domains.media, { reusable: true }, 'and offers its inputs')
  const third = await backup(f, root())
  t.equal(reusedFrom(latest(root())!).media, path.basename(second), 'the run after it reuses media whole', { stderr: third.stderr })
})

t.test('--rescan and changed options run the tools (units still linked one by one)', async (t) => {
  const prev = latest(root())!
  const r = await backup(f, root(), ['--rescan'])
  const run = latest(root())!
  t.same(Object.values(reusedFrom(run)).filter(Boolean), [], '--rescan: no domain reused whole', { stderr: r.stderr })
  const [a, b] = [artifactInodes(prev), artifactInodes(run)]
  // every artifact is linked but those written anew each run (db/, infra/) and the unit that failed last time (rebuilt by design)
  const notLinked = [...a].filter(([k, ino]) => !/^(db|infra)\//.test(k) && b.get(k) !== ino).map(([k]) => k)
  t.same(notLinked, ['compiled_exports/12/compiled_phonetic.zip'], `unchanged units are linked (${a.size - notLinked.length} of ${a.size})`)
  const c = await backup(f, root(), ['--checksums'])
  t.same(Object.values(reusedFrom(latest(root())!)).filter(Boolean), [], 'another archive option: nothing reused whole', { stderr: c.stderr })
})

t.test('encrypted runs: the encrypted domains are reused as stored, and the reused run decrypts', async (t) => {
  const keyFile = path.join(f.dir, 'reuse-age.key')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  const pub = readFileSync(keyFile, 'utf8').match(/public key: (age1\S+)/)![1]
  const eroot = path.join(f.dir, 'encrypted')
  await backup(f, eroot, ['--encrypt-to', pub])
  const prev = latest(eroot)!
  const r = await backup(f, eroot, ['--encrypt-to', pub])
  const run = latest(eroot)!
  const from = reusedFrom(run)
  for (const d of ALL_BUT_INFRA) t.equal(from[d], path.basename(prev), `${d}: reused whole`, { stderr: r.stderr })
  t.ok(readdirSync(path.join(run, 'db')).some((n) => n.endsWith('.age')), 'db/ holds the encrypted dump')
  await verify(t, run)
  const out = path.join(f.dir, 'decrypted')
  execFileSync(binPath('clara-encrypt'), ['--decrypt', '--identity', keyFile, '--run', run, '--out', out, '--quiet'], { env: runEnv(), stdio: 'ignore' })
  t.ok(readdirSync(path.join(out, 'db')).some((n) => n.endsWith('.sqlite3')), 'and decrypts (digests checked by clara-encrypt)')
  const other = await backup(f, eroot, [])
  t.same(Object.values(reusedFrom(latest(eroot)!)).filter(Boolean), [], 'without --encrypt-to the options differ: nothing reused whole', { stderr: other.stderr })
})

t.test('every source a lister names lies under the inputs declared for its domain', async (t) => {
  const ctx = inputsContext(f.clara, f.db, {})
  const under = (domain: string, p: string) => domainInputs(domain, ctx)!.roots.some((r) => p === r.path || (r.walk && p.startsWith(r.path + '/')))
  const list = async (bin: string, args: string[]) => {
    const r = await spawnTool(binPath(bin), ['--clara', f.clara, ...args], { env: runEnv() })
    return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
  }
  const cases: [string, string, string[]][] = [
    ['source_exports', 'clara-list-projects', ['--db', f.db, '--units', 'source']],
    ['compiled_exports', 'clara-list-projects', ['--db', f.db, '--units', 'compiled']],
    ['legacy_zips', 'clara-list-legacy', []],
    ['media', 'clara-list-media', []],
    ['audio_cache', 'clara-list-audio', ['--db', f.db]],
  ]
  for (const [domain, bin, args] of cases) {
    const paths: string[] = []
    for (const rec of await list(bin, args)) {
      if (rec.type === 'unit') for (const a of rec.archives) for (const s of a.sources ?? []) if (s.dir ?? s.file) paths.push(s.dir ?? s.file)
      if (rec.type === 'file') paths.push(path.join(rec.root, rec.path))
    }
    t.ok(paths.length > 0, `${domain}: ${paths.length} sources`)
    t.same(paths.filter((p) => !under(domain, p)), [], `${domain}: all under its declared inputs`)
  }
  // what compiled units copied in while rewriting their links (recorded in each unit's metadata.json)
  const run = latest(root())!
  const copied: string[] = []
  for (const u of readdirSync(path.join(run, 'compiled_exports'))) {
    const meta = path.join(run, 'compiled_exports', u, 'metadata.json')
    try {
      for (const c of readJson(meta).copied ?? []) copied.push(c.from)
    } catch {
      // index.json and failures.json are files, not unit folders
    }
  }
  t.ok(copied.length > 0, `${copied.length} files copied in by rewrites`)
  t.same(copied.filter((p) => typeof p !== 'string' || !under('compiled_exports', p)), [], 'compiled_exports: all under its inputs')
})

t.test('a server database has no change stamp: the domains that read it are always run', async (t) => {
  const ctx = inputsContext(f.clara, 'postgres://postgres@127.0.0.1:5432/clara', {})
  for (const d of ['source_exports', 'compiled_exports', 'db', 'audio_cache']) t.match(domainInputs(d, ctx), { open: /postgres database/ }, d)
  for (const d of ['legacy_zips', 'media']) t.notOk(domainInputs(d, ctx)!.open, `${d} does not read it`)
  t.equal(domainInputs('infra', ctx), null, 'infra: always run')
})
