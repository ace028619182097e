import t from 'tap'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { applyBackupPerms, resolveGroup } from '@clara/shared/perms'

// shared/src/perms.ts is used by clara-backup and clara-encrypt; its test lives here with its author.
const mode = async (p: string) => (await fsp.lstat(p)).mode & 0o7777

t.test('dirs 750, files 640, recursively; symlinks never followed', async (t) => {
  const dir = t.testdir({
    outside: { 'precious.txt': 'not part of the backup' },
    run: { db: { 'x.dump': 'd', sub: { 'y.txt': 'y' } }, 'manifest.json': '{}', link: t.fixture('symlink', '../outside/precious.txt') },
  })
  await fsp.chmod(path.join(dir, 'outside/precious.txt'), 0o604)
  await fsp.chmod(path.join(dir, 'run/db/x.dump'), 0o777)
  await fsp.chmod(path.join(dir, 'run/db/sub'), 0o700)
  const r = await applyBackupPerms(path.join(dir, 'run'))
  t.same(r, { dirs: 3, files: 3, gid: null })
  for (const d of ['run', 'run/db', 'run/db/sub']) t.equal(await mode(path.join(dir, d)), 0o750, d)
  for (const f of ['run/db/x.dump', 'run/db/sub/y.txt', 'run/manifest.json']) t.equal(await mode(path.join(dir, f)), 0o640, f)
  t.equal(await mode(path.join(dir, 'outside/precious.txt')), 0o604, 'the symlink target is untouched')
})

t.test('the backup group, when it exists', async (t) => {
  const dir = t.testdir({ run: { 'a.zip': 'a' } })
  const gid = await resolveGroup('daemon')
  t.type(gid, 'number', 'Debian has a daemon group')
  const r = await applyBackupPerms(path.join(dir, 'run'), { group: 'daemon' })
  t.equal(r.gid, gid)
  t.equal((await fsp.stat(path.join(dir, 'run/a.zip'))).gid, gid)
  t.equal((await fsp.stat(path.join(dir, 'run'))).gid, gid)
  const missing = await applyBackupPerms(path.join(dir, 'run'), { group: 'no-such-group-clara' })
  t.equal(missing.gid, null)
  t.match(missing.note, /does not exist/)
  t.equal((await fsp.stat(path.join(dir, 'run/a.zip'))).gid, gid, 'left as it was')
  t.equal((await applyBackupPerms(path.join(dir, 'run'), { group: '0' })).gid, 0, 'a numeric gid is taken as is')
  t.equal(await resolveGroup('clara', path.join(dir, 'nope')), null, 'no group file, no group')
})
