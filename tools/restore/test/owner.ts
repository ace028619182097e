/**
 * Run as root, a restore leaves NEWCLARA owned by an ordinary user: by default the owner of its
 * parent folder, or `--owner USER[:GROUP]`; every entry, links themselves included (lchown: a
 * link's target is never touched). An unknown --owner is a usage error before anything is written.
 */
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { legacyUnit } from './craft.js'

/** uid:gid of every entry below `dir` (and of `dir`), never following a link. */
function owners(dir: string): Set<string> {
  const out = new Set<string>()
  const st = lstatSync(dir)
  out.add(`${st.uid}:${st.gid}`)
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const s = lstatSync(path.join(dir, name))
    out.add(`${s.uid}:${s.gid}`)
  }
  return out
}

t.test('NEWCLARA is given to the owner of its parent, or to --owner', async (t) => {
  if (process.getuid?.() !== 0) throw new Error('this test needs root (restore only changes owners as root)')
  const base = t.testdir({})
  const run = path.join(base, 'run')
  await legacyUnit(run, 'u', [{ name: 'a.txt', data: 'a' }, { name: 'd/b.txt', data: 'b' }, { name: 'l', kind: 'symlink', data: '/etc/passwd' }])
  const parent = path.join(base, 'home')
  mkdirSync(parent)
  chownSync(parent, 1234, 2345)
  const passwd = statSync('/etc/passwd')
  const r = await runMain(main, { argv: [run, '--to', path.join(parent, 'clara'), '--domains', 'legacy', '--quiet'] })
  t.equal(r.code, 0, r.stderr)
  t.same([...owners(path.join(parent, 'clara'))], ['1234:2345'], 'every entry owned by the parent\'s owner')
  t.equal(statSync('/etc/passwd').uid, passwd.uid, 'a link\'s target is never chowned')
  const r2 = await runMain(main, { argv: [run, '--to', path.join(base, 'other'), '--domains', 'legacy', '--owner', '4321:5432', '--quiet'] })
  t.equal(r2.code, 0, r2.stderr)
  t.same([...owners(path.join(base, 'other'))], ['4321:5432'], '--owner UID:GID')
  const r3 = await runMain(main, { argv: [run, '--to', path.join(base, 'third'), '--domains', 'legacy', '--owner', 'no-such-user-here', '--quiet'] })
  t.equal(r3.code, 2, 'unknown --owner: usage error')
  t.notOk(existsSync(path.join(base, 'third')), 'nothing written')
})
