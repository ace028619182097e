/**
 * Issue 3, source half, end to end with the real bins:
 * clara-list-projects --units source | clara-zip-unit | clara-index, on SQLite and on PostgreSQL.
 */
import t from 'tap'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { hashFile } from '@clara/shared/hash'
import { IMAGE_KEYS } from '@clara/list-projects/image-items'
import { realFixture, snapshot } from '@clara/list-projects/test/real-fixture'
import { q, records, sh, treeDiff, unitsOnDisk, unzip } from './e2e-kit.js'

type Rec = Record<string, any>
const root = t.testdir()
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'))

for (const engine of ['sqlite', 'postgres'] as const) {
  t.test(engine, async (t) => {
    const fx = await realFixture(path.join(root, engine), engine)
    t.teardown(() => fx.drop())
    const lister = `clara-list-projects --clara ${q(fx.clara)} --db ${q(fx.url)}`
    const backup = async (dest: string, list = '', zip = '') => {
      const r = await sh(`${lister} --units source ${list} | clara-zip-unit --dest ${q(dest)} ${zip} | clara-index --dest ${q(dest)} --domain source_exports`)
      return { ...r, recs: records(r.stdout) }
    }
    const listed = records((await sh(lister)).stdout)
    const wanted = [...listed.filter((r) => r.type === 'project').map((p) => String(p.id)), ...listed.filter((r) => r.type === 'orphan' && ['content', 'images'].includes(r.kind)).map((o) => `orphan-${o.name}`)]
    const before = await snapshot(fx.clara)
    const dest = path.join(root, engine, 'run1')
    const run = await backup(dest)
    t.equal(run.code, 0, run.stderr)

    t.test('every project and orphan has a unit; the index lists exactly the units on disk', async (t) => {
      t.same(unitsOnDisk(dest, 'source_exports'), [...wanted].sort())
      const index = json(path.join(dest, 'source_exports/index.json'))
      const indexed = index.entries.map((e: Rec) => e.unit).sort()
      t.same(indexed, [...wanted].sort())
      t.same(json(path.join(dest, 'source_exports/failures.json')).failures, [], 'no failures')
    })

    t.test('sizes and sha256 verify', async (t) => {
      const index = json(path.join(dest, 'source_exports/index.json'))
      for (const e of index.entries) {
        const d = await hashFile(path.join(dest, 'source_exports', e.path))
        t.equal(d.bytes, e.size_bytes, `${e.path} size`)
        t.equal(d.sha256, e.sha256, `${e.path} sha256`)
      }
      for (const u of unitsOnDisk(dest, 'source_exports')) {
        const m = json(path.join(dest, 'source_exports', u, 'metadata.json'))
        const d = await hashFile(path.join(dest, 'source_exports', u, 'source.zip'))
        t.match(m, { size_bytes: d.bytes, sha256: d.sha256, file_count: Number })
      }
    })

    t.test('zips unpack to the original trees, mtimes equal to the second; the importer finds what it needs', async (t) => {
      for (const p of listed.filter((r) => r.type === 'project')) {
        const out = path.join(root, engine, 'unz', String(p.id))
        await unzip(path.join(dest, 'source_exports', String(p.id), 'source.zip'), out)
        const content = p.places.find((x: Rec) => x.kind === 'content')
        const images = p.places.find((x: Rec) => x.kind === 'images')
        if (content.exists) {
          t.same(await treeDiff(path.join(fx.clara, content.path), path.join(out, 'project_dir'), ['__pycache__', '*.pyc']), [], `${p.id}: project_dir/`)
          t.ok(existsSync(path.join(out, 'project_dir/stored_data.json')), `${p.id}: project_dir/stored_data.json`)
        }
        if (images.exists) t.same(await treeDiff(path.join(fx.clara, images.path), path.join(out, 'image_repository')), [], `${p.id}: image_repository/`)
        t.equal(Object.keys(json(path.join(out, 'metadata.json'))).length, 10, `${p.id}: 10 global keys`)
        const items = json(path.join(out, 'images/metadata.json'))
        for (const it of items) {
          t.same(Object.keys(it), [...IMAGE_KEYS], `${p.id} ${it.image_name}: 16 keys`)
          if (it.request_type === 'image-generation' && it.image_file_path && !it.image_file_path.includes('/')) t.ok(statSync(path.join(out, 'images', it.image_file_path)).isFile())
        }
        t.ok(Array.isArray(json(path.join(out, 'image_descriptions/metadata.json'))))
        const meta = json(path.join(dest, 'source_exports', String(p.id), 'metadata.json'))
        t.match(meta, { id: p.id, title: p.title, l1: p.l1, l2: p.l2, owner: { username: p.owner.username }, toolkit_version: String, created_at: String })
      }
    })

    t.test('--existing skip: a rerun rewrites nothing', async (t) => {
      const stamp = () => unitsOnDisk(dest, 'source_exports').flatMap((u) => ['source.zip', 'metadata.json'].map((f) => {
        const s = statSync(path.join(dest, 'source_exports', u, f))
        return `${u}/${f} ${s.ino} ${s.mtimeMs}`
      }))
      const first = stamp()
      const again = await backup(dest, '', '--existing skip')
      t.equal(again.code, 0, again.stderr)
      t.same(stamp(), first, 'same inodes and mtimes')
      t.ok(again.recs.filter((r) => r.type === 'artifact').every((r) => r.reused), 'every artifact reused')
    })

    t.test('--only and --skip', async (t) => {
      const d1 = path.join(root, engine, 'only')
      t.equal((await backup(d1, '--only 37,Ça_va__12,orphan-Orphan_no_db_row_77')).code, 0)
      t.same(unitsOnDisk(d1, 'source_exports'), ['12', '37', 'orphan-Orphan_no_db_row_77'])
      const d2 = path.join(root, engine, 'skip')
      t.equal((await backup(d2, '--skip 37,Orphan_no_db_row_77')).code, 0)
      t.same(unitsOnDisk(d2, 'source_exports'), wanted.filter((u) => u !== '37' && u !== 'orphan-Orphan_no_db_row_77').sort())
    })

    t.test('--dry-run writes nothing', async (t) => {
      const d = path.join(root, engine, 'dry')
      const tee = path.join(root, engine, 'dry.ndjson')
      const r = await sh(`${lister} --units source | clara-zip-unit --dest ${q(d)} --dry-run | tee ${q(tee)} | clara-index --dest ${q(d)} --domain source_exports --dry-run`)
      t.equal(r.code, 0, r.stderr)
      t.notOk(existsSync(d), 'no directory created')
      const planned = records(readFileSync(tee, 'utf8')).filter((x) => x.type === 'artifact')
      t.same(planned.map((x) => [x.unit, x.planned]), wanted.map((u) => [u, true]), 'the same artifacts, planned')
    })

    t.test('the install is untouched', async (t) => {
      t.same([...(await snapshot(fx.clara))], [...before])
    })
  })
}
