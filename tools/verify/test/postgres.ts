/** A real PostgreSQL run: COPY-format references, pg_restore --list, and --rehearse-db into a scratch database. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb } from '@clara/shared/db'
import { PG_ADMIN_URL } from '@clara/shared/testkit'
import { buildRun, copyRun, failing, readJsonFile, verdicts, verify, writeJsonFile, type BuiltRun } from './helpers.js'

let b: BuiltRun
t.before(async () => {
  b = await buildRun('postgres')
})
t.teardown(() => b?.cleanup())

async function scratchDbs(): Promise<string[]> {
  const db = await openDb(PG_ADMIN_URL)
  try {
    // this process's scratch databases (verify runs in-process here, so they carry this pid)
    return (await db.query<{ n: string }>('select datname as n from pg_database where datname like ?', [`clara\\_verify\\_${process.pid}\\_%`])).map((r) => r.n)
  } finally {
    await db.close()
  }
}

t.test('a good PostgreSQL run verifies in full and rehearses its dump', async (t) => {
  const r = await verify([b.run, '--data', 'full', '--rehearse-db', '--no-state'])
  t.equal(r.code, 0, JSON.stringify(failing(r)).slice(0, 800))
  const db = verdicts(r, (v) => v.check === 'db')
  t.match(db[0].message, /pg_restore --list: \d+ entries/)
  const rehearsal = verdicts(r, (v) => v.check === 'db-rehearse')
  t.equal(rehearsal.length, 1)
  t.ok(rehearsal[0].ok)
  t.match(rehearsal[0].message, /tables equal/)
  const refs = verdicts(r, (v) => v.check === 'reference' && !v.item.includes('#'))
  t.ok(refs.every((v) => v.ok && v.references > 0), 'file paths read from the COPY data of the dump')
  t.same(await scratchDbs(), [], 'the scratch database is dropped')
})

t.test('project counts from --db (the live database) agree', async (t) => {
  const r = await verify([b.run, '--db', b.dbUrl, '--no-state'])
  t.equal(r.code, 0)
  t.match(verdicts(r, (v) => v.check === 'count' && v.item === 'source_exports')[0].message, /expected \(--db\)/)
})

t.test('the rehearsal names a table whose content differs from the metadata', async (t) => {
  const run = await copyRun(b, 'rehearse')
  const metaFile = path.join(run, 'db', (await fsp.readdir(path.join(run, 'db'))).find((f) => f.endsWith('.db_metadata.json'))!)
  const meta = await readJsonFile(metaFile)
  meta.tables.orm_audio_metadata.sha256 = 'f'.repeat(64)
  meta.tables.auth_user.rows += 1
  await writeJsonFile(metaFile, meta)
  const r = await verify([run, '--rehearse-db', '--scratch-url', PG_ADMIN_URL, '--no-state'])
  t.equal(r.code, 12)
  const f = failing(r).find((v) => v.check === 'db-rehearse')
  t.ok(f)
  t.match(f?.message, /orm_audio_metadata: content hash differs/)
  t.match(f?.message, /auth_user: \d+ rows, \d+ in the metadata/)
})

t.test('a truncated dump fails pg_restore --list', async (t) => {
  const run = await copyRun(b, 'truncated-dump')
  const dump = (await fsp.readdir(path.join(run, 'db'))).find((f) => f.endsWith('.dump'))!
  const file = path.join(run, 'db', dump)
  await fsp.truncate(file, Math.floor((await fsp.stat(file)).size / 2))
  const r = await verify([run, '--no-state'])
  t.equal(r.code, 12)
  t.ok(failing(r).some((v) => v.check === 'db' && /pg_restore --list fails/.test(v.message)))
  t.ok(failing(r).some((v) => v.check === 'unit' && v.item === `db/${dump}`))
})
