import t from 'tap'
import { parseRemote, remoteLabel, rsyncDest } from '../src/remote.js'
import { parseStats } from '../src/rsync.js'
import { planPush } from '../src/plan.js'
import type { RunEntry } from '@clara/shared/run-set'

t.test('remote specs', async (t) => {
  t.same(parseRemote('manny@laptop:/srv/clara_offsite', '/x'), { kind: 'ssh', host: 'manny@laptop', path: '/srv/clara_offsite' })
  t.same(parseRemote('laptop:backups', '/x'), { kind: 'ssh', host: 'laptop', path: 'backups' })
  t.same(parseRemote('/mnt/usb/clara', '/x'), { kind: 'local', path: '/mnt/usb/clara' })
  t.same(parseRemote('./disk:1', '/x'), { kind: 'local', path: '/x/disk:1' }, 'a slash before the colon: a local path, as rsync reads it')
  for (const bad of ['', 'host::module', 'rsync://host/m', 'host:', '-oProxyCommand=x:/p']) t.throws(() => parseRemote(bad, '/x'), { name: 'UsageError' }, bad)
  t.equal(rsyncDest(parseRemote('h:/a b', '/')), 'h:/a b/')
  t.equal(rsyncDest(parseRemote('/a/', '/')), '/a/')
  t.equal(remoteLabel(parseRemote('u@h:/p', '/')), 'u@h:/p')
})

t.test('rsync --stats', async (t) => {
  const out = 'Number of files: 12 (reg: 8, dir: 4)\nNumber of regular files transferred: 1,234\nTotal file size: 9,999 bytes\nTotal transferred file size: 1,048,576 bytes\n'
  t.same(parseStats(out), { bytes: 1048576, files: 1234 })
  t.same(parseStats(''), { bytes: 0, files: 0 })
})

t.test('the plan: finished runs only; latest follows the local one', async (t) => {
  const r = (id: string, finished = true): RunEntry => ({ id, dir: id, time: new Date(0), finished, manifest: null, failed: false, completed: finished, fullSelection: finished, pinned: false })
  const runs = [r('20261101T000000Z'), r('20261102T000000Z'), r('20261103T000000Z', false)]
  t.same(planPush({ root: '/', runs, latest: '20261101T000000Z', leftovers: [] }), { runs: ['20261101T000000Z', '20261102T000000Z'], skipped: ['20261103T000000Z'], latest: '20261101T000000Z' })
  t.equal(planPush({ root: '/', runs, latest: '20261103T000000Z', leftovers: [] }).latest, '20261102T000000Z', 'never an unfinished run')
  t.equal(planPush({ root: '/', runs, latest: null, leftovers: [] }).latest, '20261102T000000Z')
  t.equal(planPush({ root: '/', runs: [], latest: null, leftovers: [] }).latest, null)
})
