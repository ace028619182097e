import t from 'tap'
import { createHash } from 'node:crypto'
import { utimesSync } from 'node:fs'
import path from 'node:path'
import type { ArtifactRecord } from '@clara/shared/records'
import { indexEntry, sortEntries, stillOnDisk } from '../src/index-entry.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

function run() {
  const dest = t.testdir({ compiled_exports: { '12': { 'compiled_normal.zip': 'normal!', 'compiled_phonetic.zip': 'phon' } }, elsewhere: { 'x.zip': 'x' } })
  return { dest, domainDir: path.join(dest, 'compiled_exports') }
}
const art = (p: string, body: string, extra: Partial<ArtifactRecord> = {}): ArtifactRecord => ({ type: 'artifact', domain: 'compiled_exports', unit: '12', path: p, size_bytes: body.length, sha256: sha(body), ...extra })

t.test('paths: relative to the run directory, to the domain directory, or absolute', async (t) => {
  const { dest, domainDir } = run()
  const abs = path.join(domainDir, '12', 'compiled_normal.zip')
  for (const p of ['compiled_exports/12/compiled_normal.zip', '12/compiled_normal.zip', abs]) {
    const e = await indexEntry(art(p, 'normal!'), dest, domainDir)
    t.equal(e.path, '12/compiled_normal.zip', p)
  }
})

t.test('fields: id, unit, path, size, sha256, updated_at (record or mtime), then extras sorted', async (t) => {
  const { dest, domainDir } = run()
  utimesSync(path.join(domainDir, '12', 'compiled_phonetic.zip'), new Date('2024-05-06T07:08:09Z'), new Date('2024-05-06T07:08:09Z'))
  const e = await indexEntry(art('12/compiled_phonetic.zip', 'phon', { text_type: 'phonetic', files: 9, reused: true, planned: false }), dest, domainDir)
  t.same(Object.keys(e), ['project_id', 'unit', 'path', 'size_bytes', 'sha256', 'updated_at', 'files', 'reused', 'text_type'])
  t.equal(e.updated_at, '2024-05-06T07:08:09.000Z')
  t.equal(e.project_id, 12)
  const e2 = await indexEntry(art('12/compiled_phonetic.zip', 'phon', { updated_at: '2025-01-01T00:00:00Z' }), dest, domainDir)
  t.equal(e2.updated_at, '2025-01-01T00:00:00Z')
})

t.test('artifacts that do not check out', async (t) => {
  const { dest, domainDir } = run()
  const bad: [Partial<ArtifactRecord>, RegExp, string][] = [
    [{ path: '12/missing.zip' }, /^artifact not found under /, 'ENOENT'],
    [{ path: 'elsewhere/x.zip', size_bytes: 1, sha256: sha('x') }, /outside the domain directory/, 'EOUTSIDE'],
    [{ path: '12' }, /not a regular file/, 'ENOTFILE'],
    [{ size_bytes: 3 }, /7 bytes on disk, the record says 3/, 'ESIZE'],
    [{ sha256: 'abc' }, /bad sha256/, 'EBADRECORD'],
    [{ size_bytes: -1 }, /bad size_bytes/, 'EBADRECORD'],
    [{ unit: '' }, /without a unit/, 'EBADRECORD'],
    [{ path: undefined }, /of unit 12 without a path/, 'EBADRECORD'],
  ]
  for (const [extra, message, code] of bad) {
    await t.rejects(indexEntry(art('12/compiled_normal.zip', 'normal!', extra), dest, domainDir), { message, code })
  }
})

t.test('stillOnDisk and sortEntries', async (t) => {
  const { dest, domainDir } = run()
  const e = await indexEntry(art('12/compiled_normal.zip', 'normal!'), dest, domainDir)
  t.ok(await stillOnDisk(e, domainDir))
  t.notOk(await stillOnDisk({ ...e, size_bytes: 1 }, domainDir))
  t.notOk(await stillOnDisk({ ...e, path: '12/gone.zip' }, domainDir))
  const es = [{ ...e, unit: 'b', path: 'z' }, { ...e, unit: '3', path: 'y' }, { ...e, unit: '3', path: 'a' }, { ...e, unit: '20', path: 'a' }]
  t.same(sortEntries(es).map((x) => `${x.unit}:${x.path}`), ['3:a', '3:y', '20:a', 'b:z'])
})
