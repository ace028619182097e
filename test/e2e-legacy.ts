/** Legacy units end to end: clara-list-legacy | clara-zip-unit | clara-index, and the three wrapper scripts. */
import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { hashFile } from '@clara/shared/hash'
import { repoRoot } from '@clara/shared/testkit'
import { realFixture } from '@clara/list-projects/test/real-fixture'
import { q, records, sh, treeDiff, unitsOnDisk, unzip } from './e2e-kit.js'

type Rec = Record<string, any>
const root = t.testdir()
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'))
const fx = await realFixture(root)
const scripts = path.join(repoRoot(), 'scripts')

t.test('one legacy.zip per top-level folder, unpacking to the original tree', async (t) => {
  const dest = path.join(root, 'run')
  const r = await sh(`clara-list-legacy --clara ${q(fx.clara)} | clara-zip-unit --dest ${q(dest)} | clara-index --dest ${q(dest)} --domain legacy_zips`)
  t.equal(r.code, 0, r.stderr)
  t.same(unitsOnDisk(dest, 'legacy_zips'), ['peter_rabbit_lara', 'proust_vol1'])
  const index = json(path.join(dest, 'legacy_zips/index.json'))
  t.same(index.entries.map((e: Rec) => [e.name, e.path]), [['peter_rabbit_lara', 'peter_rabbit_lara/legacy.zip'], ['proust_vol1', 'proust_vol1/legacy.zip']])
  for (const name of ['peter_rabbit_lara', 'proust_vol1']) {
    const meta = json(path.join(dest, 'legacy_zips', name, 'metadata.json'))
    const d = await hashFile(path.join(dest, 'legacy_zips', name, 'legacy.zip'))
    t.match(meta, { name, size_bytes: d.bytes, sha256: d.sha256, mtime: String, file_count: Number })
    t.same(meta.archives[0].restore, [{ prefix: '', to: `LARA_legacy/${name}` }])
    await unzip(path.join(dest, 'legacy_zips', name, 'legacy.zip'), path.join(root, 'unz', name))
    t.same(await treeDiff(path.join(fx.clara, 'LARA_legacy', name), path.join(root, 'unz', name)), [], `${name}: byte-equal, mtimes to the second`)
  }
})

t.test('the wrapper scripts: env in, index records out, extra args to the lister', async (t) => {
  const dest = path.join(root, 'scripts')
  const env = { CLARA: fx.clara, DEST: dest, DATABASE_URL: '', CLARA_LIST_ARGS: '--only\n37', CLARA_ARCHIVE_ARGS: '--workers\n1' }
  const src = await sh(`${q(path.join(scripts, 'backup_source.sh'))}`, env)
  t.equal(src.code, 0, src.stderr)
  t.same(unitsOnDisk(dest, 'source_exports'), ['37'], 'CLARA_LIST_ARGS reach the lister; the DB comes from $CLARA/db.sqlite3')
  const comp = await sh(`${q(path.join(scripts, 'backup_compiled.sh'))} --text-types normal`, env)
  t.equal(comp.code, 0, comp.stderr)
  t.same(json(path.join(dest, 'compiled_exports/37/metadata.json')).archives.map((a: Rec) => a.name), ['compiled_normal'], 'extra arguments reach the lister')
  const leg = await sh(`${q(path.join(scripts, 'backup_legacy.sh'))}`, { ...env, CLARA_LIST_ARGS: '' })
  t.equal(leg.code, 0, leg.stderr)
  t.same(unitsOnDisk(dest, 'legacy_zips'), ['peter_rabbit_lara', 'proust_vol1'])
  const dry = await sh(`${q(path.join(scripts, 'backup_legacy.sh'))}`, { ...env, CLARA_LIST_ARGS: '', DEST: path.join(root, 'dry'), CLARA_ARCHIVE_ARGS: '--dry-run', CLARA_DRY_RUN: '1' })
  t.equal(dry.code, 0, dry.stderr)
  t.same(unitsOnDisk(path.join(root, 'dry'), 'legacy_zips'), [])
  const missing = await sh(`${q(path.join(scripts, 'backup_source.sh'))}`, { CLARA: fx.clara, DEST: '', BACKUP_ROOT: '' })
  t.not(missing.code, 0)
  t.match(missing.stderr, /set DEST/)
})
