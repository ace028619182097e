/**
 * An install full of odd links (an absolute one, one leaving the project, a loop, a dangling one,
 * an absolute link to a folder), added by the test to a generated install: a real backup, then a
 * restore with no --domains (everything, project sources included) brings back every file of
 * every project and each link exactly as it was; the links pointing outside NEWCLARA are counted
 * and listed in restore_report.json; clara-verify --data full finds nothing to refuse.
 */
import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { backup, fixture, isPathJson, node, shortDir } from './kit.js'

/**
 * Every entry below `dir` (never following a link): kind, mode, and content or link target; the
 * C-LARA JSON path files (`skip`) by name only: their paths are migrated (the roundtrip tests check that).
 */
function tree(dir: string, skip: (rel: string) => boolean, rel = ''): string[] {
  const out: string[] = []
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name
    const p = path.join(dir, r)
    const st = lstatSync(p)
    if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(p)}`)
    else if (st.isFile()) out.push(`${r} ${(st.mode & 0o7777).toString(8)} ${skip(r) ? 'migrated' : createHash('sha256').update(readFileSync(p)).digest('hex')}`)
    else {
      out.push(`${r}/`)
      out.push(...tree(dir, skip, r))
    }
  }
  return out
}

t.test('odd links in a project: every project comes back whole, links verbatim', async (t) => {
  const base = shortDir(t, 'crl')
  const clara = path.join(base, 'clara')
  const db = await fixture(clara)
  const content = path.join(clara, 'clara_content')
  const projects = readdirSync(content).sort()
  t.ok(projects.length >= 2, `the fixture has projects (${projects.length})`)
  // every project gets odd links (as admins link shared folders in)
  for (const p of projects) {
    const dir = path.join(content, p)
    symlinkSync('/etc/hostname', path.join(dir, 'abs_link'))
    symlinkSync('../../../outside_shared', path.join(dir, 'out_link'))
    symlinkSync('loop_b', path.join(dir, 'loop_a'))
    symlinkSync('loop_a', path.join(dir, 'loop_b'))
    symlinkSync('does_not_exist', path.join(dir, 'dangling'))
    mkdirSync(path.join(dir, 'linked'), { recursive: true })
    symlinkSync('/usr/share', path.join(dir, 'linked', 'shared'))
  }
  const run = await backup(clara, db, path.join(base, 'backups'))
  const v = await node('verify', [run, '--data', 'full', '--no-state', '--quiet'])
  t.equal(v.code, 0, `verify --data full: nothing restore would refuse (${v.stdout.split('\n').filter((l) => l.includes('"ok":false')).join(' ')})`)
  const to = path.join(base, 'new')
  const r = await node('restore', [run, '--to', to, '--db', `sqlite://${path.join(base, 'restored.sqlite3')}`, '--quiet'])
  t.equal(r.code, 0, `restore (no --domains: everything) exits 0: ${r.stderr}`)
  const refused = r.stdout.split('\n').filter((l) => /"refused"|refused_members/.test(l))
  t.same(refused, [], 'nothing refused')
  for (const p of projects) {
    const skip = (rel: string) => isPathJson(`clara_content/${p}/${rel}`) || rel.endsWith('.pickle') // both migrated into the new root
    t.same(tree(path.join(to, 'clara_content', p), skip), tree(path.join(content, p), skip), `${p}: every file and link as it was`)
  }
  const report = JSON.parse(readFileSync(path.join(to, 'restore_report.json'), 'utf8'))
  const outside = report.links_outside.links.map((l: { path: string; target: string }) => `${l.path} -> ${l.target}`).sort()
  const want = projects.flatMap((p) => [`clara_content/${p}/abs_link -> /etc/hostname`, `clara_content/${p}/linked/shared -> /usr/share`, `clara_content/${p}/out_link -> ../../../outside_shared`]).sort()
  t.same(outside, want, 'the links pointing outside NEWCLARA are listed (the loop and the dangling link stay inside)')
  t.equal(report.links_outside.count, want.length)
})
