import t from 'tap'
import { fitName, NAME_BUDGET } from '../src/names.js'

t.test('short names are kept; long ones get a prefix and a hash, within the budget', async (t) => {
  t.equal(fitName('orphan-Mary_37'), 'orphan-Mary_37')
  const long = 'orphan-' + 'L'.repeat(250)
  const f = fitName(long)
  t.ok(Buffer.byteLength(f) <= NAME_BUDGET, 'fits')
  t.match(f, /^orphan-L+~[0-9a-f]{16}$/)
  t.not(fitName(long + 'x'), f, 'distinct names stay distinct')
  t.equal(fitName(long), f, 'deterministic')
})

t.test('multi-byte names are cut on a character boundary', async (t) => {
  const f = fitName('é'.repeat(150), 100)
  t.ok(Buffer.byteLength(f) <= 100)
  t.notOk(f.includes('\ufffd'))
  t.match(f, /^é+~[0-9a-f]{16}$/)
})
