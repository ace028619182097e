import t from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { syncFileSystem } from '../src/sync-fs.js'

t.test('a folder: its file system is flushed', async (t) => {
  const dir = t.testdir({})
  writeFileSync(path.join(dir, 'a'), 'x')
  await t.resolves(syncFileSystem(dir))
})

t.test('a missing path: one error naming it', async (t) => {
  const missing = path.join(t.testdir({}), 'nope')
  await t.rejects(syncFileSystem(missing), { code: 'ESYNCFS', message: new RegExp(`^${missing}: cannot flush its file system: `) })
})
