/**
 * The third round trip: restore from the off-site copy that clara-push made over SSH (a real
 * throwaway sshd on 127.0.0.1), as after losing the server and its backup disk.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { startSshd } from '@clara/shared/testkit-sshd'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { backup, bin, fixture, node, shortDir } from './kit.js'
import { roundTrip } from './kit-check.js'

t.test('restore from the off-site copy made by clara-push', async (t) => {
  const base = shortDir(t, 'rto')
  const clara = path.join(base, 'old')
  const db = await fixture(clara)
  const root = path.join(base, 'backups')
  await backup(clara, db, root)
  const sshd = await startSshd(path.join(base, 'sshd'))
  t.teardown(() => sshd.stop())
  const off = path.join(base, 'off site')
  const p = await spawnTool(process.execPath, [bin('push'), '--root', root, '--remote', `${sshd.host}:${off}`, '--quiet'], { env: childEnv({ CLARA_PUSH_SSH: sshd.sshCommand }) })
  t.equal(p.code, 0, `clara-push ${p.stderr}`)
  const run = path.join(off, await fsp.readlink(path.join(off, 'latest')))
  const v = await node('verify', [run, '--data', 'full', '--no-state', '--quiet'])
  t.equal(v.code, 0, `the off-site run verifies ${v.stderr}`)
  await fsp.rm(root, { recursive: true, force: true }) // the server's backup disk is gone
  await roundTrip(t, { run, to: path.join(base, 'new'), clara, srcDb: db })
})
