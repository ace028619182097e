import { writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { readJson } from '../src/read-json.js'

t.test('a document, a missing file, bad JSON', async (t) => {
  const dir = t.testdir({ 'a.json': '{"x":[1,"ü"]}\n', 'bad.json': '{"x":' })
  t.same(await readJson(path.join(dir, 'a.json')), { x: [1, 'ü'] })
  t.equal(await readJson(path.join(dir, 'none.json')), null)
  await t.rejects(readJson(path.join(dir, 'bad.json')), SyntaxError)
  writeFileSync(path.join(dir, 'd'), '')
  await t.rejects(readJson(path.join(dir, 'd', 'x.json')), { code: 'ENOTDIR' })
})
