import t from 'tap'
import { cleanTarget, fileTarget, parentOf, place, relBytes, relOf, targetBytes, targetPath, targetsOf } from '../src/mapping.js'
import { MemberPolicy, memberPath } from '@clara/shared/member-check'
import { underAny } from '../src/safe-member.js'

const b = (s: string) => Buffer.from(s)

t.test('prefix specs: members under the prefix go into the target; the prefix folder is the target itself', async (t) => {
  const specs = [{ prefix: 'project_dir/', to: 'clara_content/Ça_va__12' }, { prefix: 'image_repository/', to: 'images/image_repository_orm/Ça_va__12' }]
  t.same(relOf(place(specs, b('project_dir/plain/x.txt'))!), 'clara_content/Ça_va__12/plain/x.txt')
  t.same(place(specs, b('project_dir/'))!.sub.length, 0)
  t.equal(place(specs, b('images/a.jpg')), null, 'unmapped members are not restored')
  t.equal(place(specs, b('project_dirx/a')), null)
  t.equal(relOf(place([{ prefix: '', to: 'clara_compiled/37' }], b('static/a.css'))!), 'clara_compiled/37/static/a.css')
  t.same(targetsOf(specs), ['clara_content/Ça_va__12', 'images/image_repository_orm/Ça_va__12'])
})

t.test('path specs: the file itself, or the folder it goes into', async (t) => {
  t.equal(fileTarget({ path: 'config.ini', to: 'clara_app' }), 'clara_app/config.ini', 'clara-list-media names the folder')
  t.equal(fileTarget({ path: '99', to: 'clara_compiled/99' }), 'clara_compiled/99', 'clara-list-projects names the file')
  t.equal(fileTarget({ path: 'x.txt', to: '.' }), 'x.txt')
  t.equal(relOf(place([{ path: 'config.ini', to: 'clara_app' }], b('config.ini'))!), 'clara_app/config.ini')
})

t.test('path specs in bytes: the member by path_b64, the target by to_b64 (or a folder it goes into)', async (t) => {
  const name = Buffer.from('n\xff.txt', 'latin1')
  const spec = { path: 'n\ufffd.txt', path_b64: name.toString('base64'), to: 'LARA_legacy/n\ufffd.txt', to_b64: Buffer.concat([b('LARA_legacy/'), name]).toString('base64') }
  const p = place([spec], name)!
  t.equal(p.target, `b64:${spec.to_b64}`)
  t.same(relBytes(p), Buffer.concat([b('LARA_legacy/'), name]))
  t.equal(place([spec], b('n\ufffd.txt')), null, 'its lossy text is another name')
  t.same(targetsOf([{ path: spec.path, path_b64: spec.path_b64, to: 'LARA_legacy' }]), [`b64:${spec.to_b64}`], 'a folder target: the exact name goes into it')
  t.throws(() => targetsOf([{ ...spec, to_b64: Buffer.concat([b('a'), name, b('/x')]).toString('base64') }]), /folder above its last name is not UTF-8/)
  t.throws(() => targetsOf([{ ...spec, to_b64: Buffer.concat([b('../'), name]).toString('base64') }]), /leaves the root/)
})

t.test('targets must stay inside the root', async (t) => {
  t.equal(cleanTarget('./a/b/'), 'a/b')
  t.equal(cleanTarget('.'), '')
  for (const bad of ['../x', '/etc', 'a/../../x']) t.throws(() => cleanTarget(bad), bad)
})

t.test('member checks (shared with clara-verify): unsafe names, kinds, paths through links, hard links', async (t) => {
  const name = (n: string) => Buffer.from(n)
  for (const n of ['/etc/passwd', '../x', 'a/../../x', 'a/..', './../x', 'C:/x', 'a\\..\\x', 'a\0b', '']) t.ok('unsafe' in memberPath(name(n)), JSON.stringify(n))
  for (const n of ['a/b', 'a..b/c', '..x', 'Ça va/é.txt', 'a/b/']) t.notOk('unsafe' in memberPath(name(n)), n)
  t.same(memberPath(name('./l1//x')), { parts: [name('l1'), name('x')], key: 'l1/x' }, '`./` and empty components go: `./l1/x` is `l1/x`')
  const p = new MemberPolicy()
  p.link('l1')
  t.match(p.check({ name: name('./l1/x'), type: 'file', mode: 0o644 }), { ok: false, reason: /passes through the symlink l1/ })
  t.match(p.check({ name: name('l1'), type: 'file', mode: 0o644 }), { ok: false, reason: /replaces the symlink l1/ })
  t.match(p.check({ name: name('l1'), type: 'symlink', mode: 0o777 }), { ok: true }, 'the link itself')
  t.match(p.check({ name: name('l1x/y'), type: 'file', mode: 0o644 }), { ok: true })
  t.match(p.check({ name: name('f'), type: 'fifo', mode: 0o644 }), { ok: false, reason: /a fifo member/ })
  t.match(p.check({ name: name('h'), type: 'link', mode: 0o644, linkname: name('l1x/y') }), { ok: true }, 'a hard link to a file before it')
  t.match(p.check({ name: name('h2'), type: 'link', mode: 0o644, linkname: name('/etc/passwd') }), { ok: false, reason: /hard link target: absolute/ })
  p.archive()
  t.match(p.check({ name: name('h3'), type: 'link', mode: 0o644, linkname: name('l1x/y') }), { ok: false, reason: /not a file of its archive/ }, 'not across archives')
  t.ok(underAny('clara_content/P/x', new Set(['clara_content/P'])))
  t.notOk(underAny('clara_content/Q/x', new Set(['clara_content/P'])))
})

t.test('byte targets (to_b64): named `b64:…`, placed and resolved to their exact bytes; a text target never passes for one', async (t) => {
  const name = Buffer.from('clara_content/caf\xe9-1', 'latin1')
  const specs = [{ prefix: 'project_dir/', to: 'clara_content/caf\ufffd-1', to_b64: name.toString('base64') }]
  const key = `b64:${name.toString('base64')}`
  t.same(targetsOf(specs), [key])
  const p = place(specs, b('project_dir/sub/x.txt'))!
  t.equal(p.target, key)
  t.same(relBytes(p), Buffer.concat([name, b('/sub/x.txt')]))
  t.equal(relOf(p), 'clara_content/caf\ufffd-1/sub/x.txt', 'text for reports and rules is lossy')
  t.same(targetPath('/new', key), Buffer.concat([b('/new/'), name]))
  t.equal(parentOf(targetPath('/new', key)), '/new/clara_content')
  t.same(targetsOf([{ prefix: '', to: 'a', to_b64: b('./a/b/').toString('base64') }]), ['a/b'], 'UTF-8 bytes give a plain target, cleaned')
  const forged = targetsOf([{ prefix: '', to: 'b64:Li4vZXRj' }])[0]
  t.same(targetBytes(forged), b('b64:Li4vZXRj'), 'a text target that looks like one stays its own text')
  t.throws(() => targetsOf([{ prefix: '', to: 'x', to_b64: Buffer.concat([b('../'), name]).toString('base64') }]), /leaves the root/)
  t.throws(() => targetsOf([{ prefix: '', to: 'x', to_b64: Buffer.concat([name, b('/x')]).toString('base64') }]), /folder above its last name is not UTF-8/)
})
