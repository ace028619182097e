/**
 * Issue 3, compiled half, end to end with the real bins:
 * clara-list-projects --units compiled | clara-zip-unit | clara-index, on SQLite and on PostgreSQL.
 * Every zip is unpacked and every HTML file's references are checked.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { hashFile } from '@clara/shared/hash'
import { realFixture } from '@clara/list-projects/test/real-fixture'
import { brokenReferences, q, records, sh, unitsOnDisk, unzip } from './e2e-kit.js'

type Rec = Record<string, any>
const root = t.testdir()
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'))

/**
 * Unpack every archive of every unit and check each HTML file's references. A reference may stay
 * broken only if metadata.json lists it as unresolved, or if it was already broken in the rendered
 * dir itself (a backup cannot invent a page the renderer never wrote).
 */
async function checkDomain(t: Test, clara: string, dest: string, into: string): Promise<{ unit: string; archive: string; unresolved: Rec[] }[]> {
  const out = []
  for (const u of unitsOnDisk(dest, 'compiled_exports')) {
    const meta = json(path.join(dest, 'compiled_exports', u, 'metadata.json'))
    // per-type zips side by side in folders named after their types (a link to the other type is `../<type>/…`), all unpacked first
    const dirOf = (a: Rec) => path.join(into, u, a.name === 'compiled' ? a.name : a.name.replace(/^compiled_/, ''))
    for (const a of meta.archives) await unzip(path.join(dest, a.path), dirOf(a))
    for (const a of meta.archives) {
      const dir = dirOf(a)
      const unresolved = meta.unresolved.filter((x: Rec) => x.archive === a.name)
      const known = new Set(unresolved.map((x: Rec) => x.member))
      const before = new Set<string>()
      for (const r of a.restore) for (const b of await brokenReferences(path.join(clara, r.to))) before.add(r.prefix + b)
      const broken = (await brokenReferences(dir, path.dirname(dir))).filter((b) => !known.has(b.split(': ')[0]) && !before.has(b))
      t.same(broken, [], `${u}/${a.name}: every local reference resolves inside the zip`)
      out.push({ unit: u, archive: a.name, unresolved })
    }
  }
  return out
}

for (const engine of ['sqlite', 'postgres'] as const) {
  t.test(engine, async (t) => {
    const fx = await realFixture(path.join(root, engine), engine)
    t.teardown(() => fx.drop())
    const lister = `clara-list-projects --clara ${q(fx.clara)} --db ${q(fx.url)}`
    const backup = async (dest: string, list = '') => {
      const r = await sh(`${lister} --units compiled ${list} | clara-zip-unit --dest ${q(dest)} | clara-index --dest ${q(dest)} --domain compiled_exports`)
      return { ...r, recs: records(r.stdout) }
    }
    const listed = records((await sh(lister)).stdout)
    const present = (p: Rec) => p.places.filter((x: Rec) => x.kind.startsWith('compiled_') && x.exists).map((x: Rec) => x.kind)

    t.test('one zip per text type present, every reference resolves, media copied in', async (t) => {
      const dest = path.join(root, engine, 'run')
      const run = await backup(dest)
      // the fixture has one audio reference whose file is missing: an error record, the run goes on
      t.equal(run.code, 1, run.stderr)
      t.match(json(path.join(dest, 'compiled_exports/failures.json')).failures, [{ unit: '12', step: 'zip', code: 'EUNRESOLVED' }])
      const projects = listed.filter((r) => r.type === 'project' && present(r).length)
      const orphans = listed.filter((r) => r.type === 'orphan' && r.kind.startsWith('compiled_'))
      t.same(unitsOnDisk(dest, 'compiled_exports'), [...projects.map((p) => String(p.id)), ...orphans.map((o) => `orphan-${o.name}`)].sort())
      for (const p of projects) {
        const meta = json(path.join(dest, 'compiled_exports', String(p.id), 'metadata.json'))
        t.same(meta.archives.map((a: Rec) => a.name), present(p), `${p.id}: compiled_<type>.zip per type`)
        t.same(meta.text_types, present(p).map((k: string) => k.slice('compiled_'.length)))
        for (const a of meta.archives) {
          const d = await hashFile(path.join(dest, a.path))
          t.match(a, { size_bytes: d.bytes, sha256: d.sha256 })
        }
      }
      const index = json(path.join(dest, 'compiled_exports/index.json'))
      t.same([...new Set(index.entries.map((e: Rec) => e.unit))].sort(), unitsOnDisk(dest, 'compiled_exports'), 'the index lists exactly the units on disk')
      for (const e of index.entries) t.equal((await hashFile(path.join(dest, 'compiled_exports', e.path))).sha256, e.sha256, e.path)
      const checked = await checkDomain(t, fx.clara, dest, path.join(root, engine, 'unz'))
      t.same(checked.flatMap((c) => c.unresolved.map((u) => `${c.unit}/${c.archive}: ${u.reason}`)), ['12/compiled_phonetic: missing'], 'only the missing file is unresolved')
      const mary = json(path.join(dest, 'compiled_exports/37/metadata.json'))
      const rewritten = mary.rewritten.map((r: Rec) => `${r.archive}/${r.path}`)
      t.ok(rewritten.some((p: string) => p.startsWith('compiled_normal/concordance_')), 'concordance pages rewritten too')
      t.ok(mary.rewritten.every((r: Rec) => r.sha256_before !== r.sha256_after))
      const files = readFileSync(path.join(dest, 'compiled_exports/37/compiled_normal.zip')).toString('latin1')
      t.notMatch(files, /content_zipfile_normal\.zip/, 'nested content zips left out')
    })

    t.test('--text-types and --bundle single', async (t) => {
      const d1 = path.join(root, engine, 'types')
      await backup(d1, '--text-types phonetic')
      t.same(unitsOnDisk(d1, 'compiled_exports'), ['12', '37'])
      t.same(json(path.join(d1, 'compiled_exports/37/metadata.json')).archives.map((a: Rec) => a.name), ['compiled_phonetic'])
      const d2 = path.join(root, engine, 'single')
      await backup(d2, '--bundle single --only 37')
      const meta = json(path.join(d2, 'compiled_exports/37/metadata.json'))
      t.same(meta.archives.map((a: Rec) => a.path), ['compiled_exports/37/compiled.zip'])
      await checkDomain(t, fx.clara, d2, path.join(root, engine, 'unz-single'))
    })
  })
}
