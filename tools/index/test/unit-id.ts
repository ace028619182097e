import t from 'tap'
import { byUnitThen, compareUnits, unitId } from '../src/unit-id.js'

t.test('unitId: numeric units are project ids, others names, explicit fields win', async (t) => {
  t.same(unitId('12'), { project_id: 12 })
  t.same(unitId('orphan-abc'), { name: 'orphan-abc' })
  t.same(unitId('12a'), { name: '12a' })
  t.same(unitId('2019', { name: '2019' }), { name: '2019' }, 'a lister can insist on a name')
  t.same(unitId('x', { project_id: 7 }), { project_id: 7 })
  t.same(unitId('1234567890123456'), { name: '1234567890123456' }, 'too long to be an id')
})

t.test('compareUnits: ids numerically first, then names by code point', async (t) => {
  const units = ['orphan-b', '10', 'Zed', '2', 'orphan-a', '1', 'é', '100']
  t.same([...units].sort(compareUnits), ['1', '2', '10', '100', 'Zed', 'orphan-a', 'orphan-b', 'é'])
  const rows = [{ unit: '2', p: 'b' }, { unit: '2', p: 'a' }, { unit: '1', p: 'z' }]
  t.same(rows.sort(byUnitThen((r) => r.p)), [{ unit: '1', p: 'z' }, { unit: '2', p: 'a' }, { unit: '2', p: 'b' }])
})
