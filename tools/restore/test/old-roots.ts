import t from 'tap'
import { RootSet } from '../src/old-roots.js'

const NEW = '/srv/clara'

t.test('rewrite: the four styles into the new root', async (t) => {
  const r = new RootSet(NEW + '/')
  r.add('/old/root', 'manifest')
  t.same(r.rewrite('/old/root/clara_content/Ça_va__12/x.txt'), { value: `${NEW}/clara_content/Ça_va__12/x.txt`, style: 'posix', root: '/old/root' })
  t.equal(r.rewrite('/old/root/tmp/anything')!.value, `${NEW}/tmp/anything`, 'a known root needs no data folder')
  t.equal(r.rewrite('/old/root')!.value, NEW, 'the root itself')
  t.equal(r.rewrite('/old/rootx/y'), null, 'a longer name is not under the root')
  t.equal(r.rewrite('/home/u/C-LARA/audio/tts_repository_orm/g/a.mp3')!.value, `${NEW}/audio/tts_repository_orm/g/a.mp3`, 'detected on the fly')
  t.equal(r.rewrite('/home/u/C-LARA/LARA_legacy/p/x.html')!.value, `${NEW}/LARA_legacy/p/x.html`, 'and then known for paths without a data folder')
  t.same(r.rewrite('C:\\cygwin64\\home\\github\\c-lara\\images\\image_repository_orm\\P5\\p.jpg'), { value: `${NEW}/images/image_repository_orm/P5/p.jpg`, style: 'windows_backslash', root: 'C:/cygwin64/home/github/c-lara' })
  t.equal(r.rewrite('c:/CYGWIN64/home/github/c-lara/x')!.value, `${NEW}/x`, 'Windows roots match without regard to case')
  t.equal(r.rewrite('C:/cygwin64/home/sf/c-lara-svn/prompt_templates\\default\\g.txt')!.value, `${NEW}/prompt_templates/default/g.txt`, 'mixed separators')
  t.same(r.rewrite('$CLARA/clara_content/Ça_va__12/plain/x.txt'), { value: `${NEW}/clara_content/Ça_va__12/plain/x.txt`, style: 'clara_var', root: '$CLARA' })
  t.equal(r.rewrite('$CLARA\\audio\\x.mp3')!.value, `${NEW}/audio/x.mp3`)
  t.same(r.rewrite('audio/tts_repository_orm/google/en-GB/v/x.mp3'), { value: `${NEW}/audio/tts_repository_orm/google/en-GB/v/x.mp3`, style: 's3_key', root: '' })
  for (const v of ['', 'None', '/tmp/tmpab12cd.mp3', 'D:/elsewhere/file.txt', 42, null]) t.equal(r.rewrite(v), null, `left alone: ${JSON.stringify(v)}`)
})

t.test('idempotent: the new root is never an old one', async (t) => {
  const r = new RootSet(NEW)
  r.add(NEW, 'from-root')
  r.add('/old', 'manifest')
  t.same(r.list().map((x) => x.root), ['/old'])
  const once = r.rewrite('/old/clara_content/a/b')!.value
  t.equal(r.rewrite(once), null, 'a rewritten value stays')
  t.equal(r.rewrite(`${NEW}/clara_content/x`), null, 'even though it holds a data folder')
})

t.test('list: sources and counts per root', async (t) => {
  const r = new RootSet(NEW)
  r.add('/a/', 'manifest')
  r.add('/a', 'from-root')
  r.detect('/a/clara_content/x')
  r.detect('/b/prompt_templates/x')
  r.rewrite('/a/clara_content/x')
  r.rewrite('/a/clara_content/x', false)
  t.same(r.list(), [
    { root: '/a', windows: false, sources: ['manifest', 'from-root', 'detected'], rewritten: 1 },
    { root: '/b', windows: false, sources: ['detected'], rewritten: 0 },
  ])
})
