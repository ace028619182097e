import t from 'tap'
import { findSealed, namesOf, sealDoc, unsealDoc, type Sealed } from '../src/seal-json.js'

const f = (rel: string, p: string, s: string): Sealed => ({ rel, plain: { size: 10, sha256: p }, stored: { size: 210, sha256: s } })

t.test('namesOf: from the run, the domain, the document, bare', async (t) => {
  t.same([...namesOf('source_exports/12/source.zip', 'source_exports/12')].sort(), ['12/source.zip', 'source.zip', 'source_exports/12/source.zip'])
})

t.test('an index entry is sealed by name; unsealing restores the document exactly', async (t) => {
  const doc = {
    version: 1,
    entries: [
      { project_id: 1, path: 'source_exports/1/source.zip', size_bytes: 10, sha256: 'aaa' },
      { project_id: 2, path: 'source_exports/2/source.zip', size_bytes: 10, sha256: 'aaa' },
    ],
  }
  const before = JSON.stringify(doc, null, 2)
  const sealed = [f('source_exports/2/source.zip', 'aaa', 'zzz')]
  t.same([...sealDoc(doc, sealed, 'source_exports', true).found], ['source_exports/2/source.zip'])
  t.same(doc.entries[0], { project_id: 1, path: 'source_exports/1/source.zip', size_bytes: 10, sha256: 'aaa' }, 'same bytes, other unit: untouched')
  t.same(doc.entries[1], { project_id: 2, path: 'source_exports/2/source.zip.age', size_bytes: 210, sha256: 'zzz', plaintext_sha256: 'aaa', plaintext_size: 10, encryption: 'age' })
  t.same(findSealed(doc, 'source_exports/2/source.zip.age', 'source_exports'), { stored: { sha256: 'zzz', size: 210 }, plain: { sha256: 'aaa', size: 10 } })
  t.equal(findSealed(doc, 'source_exports/1/source.zip.age', 'source_exports'), null)
  unsealDoc(doc, sealed, 'source_exports')
  t.equal(JSON.stringify(doc, null, 2), before, 'key order and values back as they were')
})

t.test('a metadata document: the named archive line and the unit summary, not the table hashes', async (t) => {
  const doc = {
    dump: 'clara_db_x.dump',
    size_bytes: 10,
    sha256: 'ppp',
    tables: { orm_x: { rows: 3, sha256: 'ttt' } },
    archives: [{ name: 'db', path: 'db/clara_db_x.dump', size_bytes: 10, sha256: 'ppp' }],
  }
  const found = sealDoc(doc, [f('db/clara_db_x.dump', 'ppp', 'sss')], 'db').found
  t.equal(found.size, 1)
  t.match(doc, { dump: 'clara_db_x.dump.age', sha256: 'sss', size_bytes: 210, plaintext_sha256: 'ppp', encryption: 'age' })
  t.match(doc.archives[0], { path: 'db/clara_db_x.dump.age', sha256: 'sss', plaintext_size: 10 })
  t.same(doc.tables.orm_x, { rows: 3, sha256: 'ttt' })
})

t.test('sealing twice (a rerun after a crash) updates rather than stacks', async (t) => {
  const doc = { entries: [{ path: 'infra/nginx.conf', size_bytes: 10, sha256: 'ppp' }] }
  sealDoc(doc, [f('infra/nginx.conf', 'ppp', 's1')], 'infra', true)
  sealDoc(doc, [f('infra/nginx.conf', 'ppp', 's2')], 'infra', true)
  t.same(doc.entries[0], { path: 'infra/nginx.conf.age', size_bytes: 210, sha256: 's2', plaintext_sha256: 'ppp', plaintext_size: 10, encryption: 'age' })
})

t.test('unseal drops age_recipients once nothing is sealed', async (t) => {
  const doc: Record<string, unknown> = { entries: [{ path: 'db/a', size_bytes: 10, sha256: 'p' }], age_recipients: ['age1x'] }
  const s = [f('db/a', 'p', 's')]
  sealDoc(doc, s, 'db', true)
  unsealDoc(doc, s, 'db')
  t.notOk('age_recipients' in doc)
})
