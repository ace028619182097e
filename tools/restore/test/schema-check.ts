import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { schemaCheck } from '../src/schema-check.js'

function checkout(t: Test, names: string[]): string {
  const dir = t.testdir({})
  mkdirSync(path.join(dir, 'clara_app/migrations'), { recursive: true })
  for (const n of [...names, '__init__.py']) writeFileSync(path.join(dir, 'clara_app/migrations', n), '')
  return dir
}

t.test('compares the newest clara_app migration with the backup head', async (t) => {
  const head = '0103_claraproject_picture_gloss_style_and_more'
  t.equal((await schemaCheck(checkout(t, ['0001_initial.py', `${head}.py`]), head)).status, 'same')
  t.equal((await schemaCheck(checkout(t, ['0001_initial.py', `${head}.py`, '0104_new.py']), head)).status, 'newer')
  t.equal((await schemaCheck(checkout(t, ['0001_initial.py', '0102_x.py']), head)).status, 'older')
  t.equal((await schemaCheck(checkout(t, ['0001_initial.py', '0103_other.py', '0104_more.py']), head)).status, 'diverged')
  t.equal((await schemaCheck(checkout(t, []), head)).status, 'unknown')
  t.equal((await schemaCheck(checkout(t, ['0001_initial.py']), null)).status, 'unknown')
})
