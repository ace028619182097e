import t from 'tap'
import { execFileSync } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sha256 } from '@clara/shared/hash'
import { runMain } from '@clara/shared/testkit'
import { makeRun, verifyRun } from '@clara/shared/testkit-runs'
import { resolveGroup } from '@clara/shared/perms'
import { main } from '../src/main.js'

const ID = '20261127T211500Z'
const DUMP = Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(70_000, 7), Buffer.from('row: alice@example.org')])
const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n'
const SECRET_ZIP = 'PK unit two: the OPENAI key sk-live-123'

/** A run as the domain tools write it: a dump with its metadata, infra files, a secret unit. */
async function fixtureRun(root: string, id = ID, linkFrom?: string): Promise<string> {
  return makeRun(root, id, {
    linkFrom,
    files: {
      'db/clara_db_20261127_211500.dump': DUMP,
      'db/db_metadata.json': json({ version: 1, dump: 'clara_db_20261127_211500.dump', engine: 'postgresql', size_bytes: DUMP.length, sha256: sha256(DUMP), tables: { orm_x: { rows: 3, sha256: sha256('rows') } } }),
      'infra/settings_snapshot.txt': 'SECRET_KEY=<redacted>\nDEBUG=False\n',
      'infra/systemd_units/clara.service': '[Service]\nExecStart=/srv/clara/run\n',
      'source_exports/1/source.zip': 'PK unit one, public',
      'source_exports/2/source.zip': SECRET_ZIP,
      'source_exports/2/metadata.json': json({ version: 1, domain: 'source_exports', unit: '2', secret: true, archives: [{ name: 'source', path: 'source_exports/2/source.zip', size_bytes: SECRET_ZIP.length, sha256: sha256(SECRET_ZIP) }], size_bytes: SECRET_ZIP.length, sha256: sha256(SECRET_ZIP) }),
    },
  })
}

/** Every file of a tree: path → sha256. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const rel of (await fsp.readdir(dir, { recursive: true })).sort()) {
    const st = await fsp.lstat(path.join(dir, rel))
    if (st.isFile()) out[rel] = sha256(await fsp.readFile(path.join(dir, rel)))
  }
  return out
}

async function keys(dir: string): Promise<{ identity: string; recipient: string }> {
  await fsp.mkdir(dir, { recursive: true })
  const identity = path.join(dir, 'identity.txt')
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
  const recipient = /public key: (age1\w+)/.exec(await fsp.readFile(identity, 'utf8'))![1]
  return { identity, recipient }
}

const run = async (...argv: string[]) => {
  const r = await runMain(main, { argv, env: {} })
  return { ...r, records: r.records as Record<string, any>[] }
}

t.test('encrypt then decrypt in place gives the same bytes; nothing readable in between', async (t) => {
  const dir = t.testdir()
  const k = await keys(dir)
  const runDir = await fixtureRun(path.join(dir, 'backups'))
  const before = await snapshot(runDir)
  const enc = await run('--run', runDir, '--to', k.recipient)
  t.equal(enc.code, 0, enc.stderr)
  t.equal(enc.stderr, '', 'silent on success')
  t.same(enc.records.filter((r) => r.type === 'encrypted').map((r) => r.plaintext_path), [
    'db/clara_db_20261127_211500.dump',
    'infra/settings_snapshot.txt',
    'infra/systemd_units/clara.service',
    'source_exports/2/source.zip',
  ])
  const files = Object.keys(await snapshot(runDir))
  t.notOk(files.some((f) => /\.(dump|txt|service)$/.test(f) || f === 'source_exports/2/source.zip'), 'no plaintext left')
  for (const f of files) {
    const body = await fsp.readFile(path.join(runDir, f), 'utf8')
    t.notMatch(body, /alice@example\.org|SECRET_KEY|sk-live-123|ExecStart/, `${f} holds no secret`)
    if (f.endsWith('.age')) t.equal((await fsp.stat(path.join(runDir, f))).mode & 0o777, 0o640, `${f} is 640`)
  }
  t.ok(files.includes('source_exports/1/source.zip'), 'a unit not marked secret stays as it is')
  const v = await verifyRun(runDir)
  t.ok(v.ok && v.checked === 6, `index entries verify against the stored bytes ${JSON.stringify(v)}`)
  const dbIndex = JSON.parse(await fsp.readFile(path.join(runDir, 'db/index.json'), 'utf8'))
  t.match(dbIndex.entries[0], { path: 'db/clara_db_20261127_211500.dump.age', plaintext_sha256: sha256(DUMP), plaintext_size: DUMP.length, encryption: 'age' })
  t.same(dbIndex.age_recipients, [k.recipient])
  const meta = JSON.parse(await fsp.readFile(path.join(runDir, 'db/db_metadata.json'), 'utf8'))
  t.match(meta, { dump: 'clara_db_20261127_211500.dump.age', plaintext_sha256: sha256(DUMP), sha256: dbIndex.entries[0].sha256 })
  const manifest = JSON.parse(await fsp.readFile(path.join(runDir, 'manifest.json'), 'utf8'))
  for (const d of ['db', 'infra', 'source_exports']) {
    const index = JSON.parse(await fsp.readFile(path.join(runDir, d, 'index.json'), 'utf8'))
    const sum = index.entries.reduce((n: number, e: { size_bytes: number }) => n + e.size_bytes, 0)
    t.equal(manifest.domains[d].bytes, sum, `manifest bytes of ${d} follow its index`)
  }

  const dec = await run('--decrypt', '--identity', k.identity, '--run', runDir)
  t.equal(dec.code, 0, dec.stderr)
  t.ok(dec.records.filter((r) => r.type === 'decrypted').every((r) => r.verified === true))
  t.same(await snapshot(runDir), before, 'every file, documents and manifest included, is byte-identical again')
})

t.test('--decrypt --out builds a plaintext copy and leaves the run untouched', async (t) => {
  const dir = t.testdir()
  const k = await keys(dir)
  const runDir = await fixtureRun(path.join(dir, 'backups'))
  const plain = await snapshot(runDir)
  t.equal((await run('--run', runDir, '--to', k.recipient)).code, 0)
  const sealed = await snapshot(runDir)
  const out = path.join(dir, 'restore-view')
  const r = await run('--decrypt', '--identity', k.identity, '--run', runDir, '--out', out)
  t.equal(r.code, 0, r.stderr)
  t.same(await snapshot(runDir), sealed, 'the backup is not changed')
  t.same(await snapshot(out), plain, 'the copy is the plaintext run')
  t.ok((await verifyRun(out)).ok)
  const a = await fsp.stat(path.join(runDir, 'source_exports/1/source.zip'))
  t.equal((await fsp.stat(path.join(out, 'source_exports/1/source.zip'))).ino, a.ino, 'unencrypted files are hard links, not copies')
})

t.test('a wrong key fails per file (exit 1); a wrong digest is a mismatch (exit 12)', async (t) => {
  const dir = t.testdir()
  const k = await keys(dir)
  const other = await keys(path.join(dir, 'other'))
  const runDir = await fixtureRun(path.join(dir, 'backups'))
  t.equal((await run('--run', runDir, '--to', k.recipient)).code, 0)
  const sealed = await snapshot(runDir)
  const wrong = await run('--decrypt', '--identity', other.identity, '--run', runDir)
  t.equal(wrong.code, 1)
  t.equal(wrong.records.filter((r) => r.type === 'error' && r.during === 'decrypt').length, 4)
  t.same(await snapshot(runDir), sealed, 'nothing changed')
  // corrupt one stored file: age refuses it, and the recorded sha256 says why
  const age = path.join(runDir, 'infra/settings_snapshot.txt.age')
  const buf = await fsp.readFile(age)
  buf[buf.length - 5] ^= 0xff
  await fsp.writeFile(age, buf)
  const bad = await run('--decrypt', '--identity', k.identity, '--run', runDir)
  t.equal(bad.code, 12, bad.stderr)
  t.match(bad.records.find((r) => r.type === 'error'), { item: 'infra/settings_snapshot.txt.age', code: 'EMISMATCH', message: /stored bytes differ/ })
  await t.rejects(fsp.access(path.join(runDir, 'infra/settings_snapshot.txt')), 'no plaintext written for it')
  t.ok(await fsp.access(age).then(() => true), 'its .age file is kept')
  t.equal(await fsp.readFile(path.join(runDir, 'db/clara_db_20261127_211500.dump')).then(sha256), sha256(DUMP), 'the others were decrypted')
})

t.test('hard-linked plaintext shared with an older run: only this run gets encrypted', async (t) => {
  const dir = t.testdir()
  const k = await keys(dir)
  const root = path.join(dir, 'backups')
  const run1 = await fixtureRun(root, '20261126T211500Z')
  const run2 = await fixtureRun(root, ID, '20261126T211500Z')
  const dump1 = path.join(run1, 'db/clara_db_20261127_211500.dump')
  t.equal((await fsp.stat(dump1)).nlink, 2, 'the incremental run shares the dump')
  t.equal((await run('--run', run2, '--to', k.recipient)).code, 0)
  t.equal((await fsp.stat(dump1)).nlink, 1)
  t.ok((await verifyRun(run1)).ok, 'the older run still verifies')
  t.ok((await verifyRun(run2)).ok)
})

t.test('a rerun after a crash before the plaintexts were removed ends clean', async (t) => {
  const dir = t.testdir()
  const k = await keys(dir)
  const runDir = await fixtureRun(path.join(dir, 'backups'))
  const before = await snapshot(runDir)
  // crash after step 1: a stale .age of an earlier attempt beside the plaintext, documents untouched
  await fsp.writeFile(path.join(runDir, 'infra/settings_snapshot.txt.age'), 'half of an old attempt')
  t.equal((await run('--run', runDir, '--to', k.recipient)).code, 0)
  // crash after step 2: documents sealed, a plaintext still there
  await fsp.writeFile(path.join(runDir, 'source_exports/2/source.zip'), SECRET_ZIP)
  const again = await run('--run', runDir, '--to', k.recipient)
  t.equal(again.code, 0, again.stderr)
  t.same(again.records.filter((r) => r.type === 'encrypted').map((r) => r.plaintext_path), ['source_exports/2/source.zip'])
  await t.rejects(fsp.access(path.join(runDir, 'source_exports/2/source.zip')))
  t.ok((await verifyRun(runDir)).ok)
  t.equal((await run('--decrypt', '--identity', k.identity, '--run', runDir)).code, 0)
  t.same(await snapshot(runDir), before)
})

t.test('the plaintext group is kept on what replaces it', async (t) => {
  const dir = t.testdir()
  const k = await keys(dir)
  const runDir = await fixtureRun(path.join(dir, 'backups'))
  const gid = (await resolveGroup('daemon')) ?? 1
  for (const f of ['infra/settings_snapshot.txt', 'infra/index.json']) await fsp.chown(path.join(runDir, f), 0, gid)
  t.equal((await run('--run', runDir, '--to', k.recipient, '--domains', 'infra', '--no-secret-units')).code, 0)
  t.equal((await fsp.stat(path.join(runDir, 'infra/settings_snapshot.txt.age'))).gid, gid)
  t.equal((await fsp.stat(path.join(runDir, 'infra/index.json'))).gid, gid)
  t.ok(await fsp.access(path.join(runDir, 'db/clara_db_20261127_211500.dump')).then(() => true), '--domains infra leaves db/ alone')
  t.ok(await fsp.access(path.join(runDir, 'source_exports/2/source.zip')).then(() => true), '--no-secret-units leaves units alone')
})

t.test('usage and fatal errors', async (t) => {
  const dir = t.testdir()
  const k = await keys(dir)
  const runDir = await fixtureRun(path.join(dir, 'backups'))
  const help = await run('--help')
  t.equal(help.code, 0)
  t.match(help.stdout, /--decrypt --identity FILE/)
  t.equal((await run('--run', runDir)).code, 2, 'no recipient')
  const bad = await run('--run', runDir, '--to', 'age1notakey')
  t.equal(bad.code, 2)
  t.match(bad.stderr, /bad recipient/)
  t.equal((await run('--run', runDir, '--decrypt')).code, 2, 'no identity')
  t.equal((await run('--run', runDir, '--to', k.recipient, '--identity', k.identity)).code, 2, 'an identity is not needed to encrypt')
  t.equal((await run('--run', runDir, '--to', k.recipient, '--out', dir)).code, 2)
  t.equal((await run('--run', runDir, '--decrypt', '--identity', path.join(dir, 'nope'))).code, 2)
  t.equal((await run('--run', path.join(dir, 'nope'), '--to', k.recipient)).code, 3)
  const noAge = await runMain(main, { argv: ['--run', runDir, '--to', k.recipient], env: { CLARA_AGE: path.join(dir, 'no-age') } })
  t.equal(noAge.code, 3)
  t.match(noAge.stderr, /not found/)
  t.same(Object.keys(await snapshot(runDir)).filter((f) => f.endsWith('.age')), [], 'nothing was encrypted by any of these')
})

t.test('the README shows the --help text verbatim', async (t) => {
  const { readFileSync } = await import('node:fs')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const r = await runMain(main, { argv: ['--help'] })
  t.ok(readme.includes(r.stdout.replace(/\n$/, '')), 'README Usage block = --help')
})
