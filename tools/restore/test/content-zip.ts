/**
 * Issue 14 item 2: the content zips served by `/accounts/serve_zipfile/<id>/<type>/` are rebuilt
 * from the restored pages, equal to C-LARA's own layout. The reference is made by Python exactly
 * as `build_content_zip_for_text_type` does it: copytree(rendered dir, tmp/content), START.html
 * (create_start_page_for_self_contained_dir), content/multimedia/, shutil.make_archive.
 */
import t from 'tap'
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { ZipReader } from '@clara/shared/zip-reader'
import { rebuildContentZips } from '../src/content-zip.js'

const root = t.testdir()
const when = new Date('2025-03-04T05:06:07Z')
const FILES: Record<string, string | Buffer> = {
  'clara_compiled/37/page_1.html': '<html><img src="multimedia/a.jpg"><a href="../phonetic/page_1.html">Sounds</a></html>',
  'clara_compiled/37/page_2.html': '<html>two</html>',
  'clara_compiled/37/concordance_look up.html': '<html>look up</html>',
  'clara_compiled/37/concordance_æðri.html': '<html>æðri</html>',
  'clara_compiled/37/vocab_list_alphabetical.html': '<ul></ul>',
  'clara_compiled/37/static/clara_scripts.js': 'var x = 1\n',
  'clara_compiled/37/static/clara_styles_main.css': 'body {}\n',
  'clara_compiled/37/multimedia/a.jpg': Buffer.alloc(900, 7),
  'clara_compiled/37/multimedia/w 1.mp3': Buffer.alloc(500, 3),
  // a stale content zip (the backup leaves these out; one found in the dir is replaced, never nested)
  'clara_compiled/37/content_zipfile_normal.zip': Buffer.from('PK old'),
  // a phonetic render with no multimedia/ folder: C-LARA's builder makes content/multimedia/ anyway
  'clara_compiled_phonetic/37/page_1.html': '<html>m|a|r|y</html>',
  'clara_compiled_phonetic/37/static/clara_scripts.js': 'var y = 2\n',
  // questionnaire pages have no content zip; a folder that is no project id is not a rendered dir
  'clara_compiled_for_questionnaire/37/page_1.html': '<form></form>',
  'clara_compiled/tmp_x/page_1.html': 'not a project',
}
for (const [rel, body] of Object.entries(FILES)) {
  const abs = path.join(root, rel)
  mkdirSync(path.dirname(abs), { recursive: true })
  writeFileSync(abs, body)
  utimesSync(abs, when, when)
}
// older than the pages: stale by C-LARA's own rule (zip_is_fresh)
const stale = new Date(when.getTime() - 86_400_000)
utimesSync(path.join(root, 'clara_compiled/37/content_zipfile_normal.zip'), stale, stale)

/** C-LARA's content zip of a rendered dir, built by Python the way clara_make_content_zip.py does (without the nested old zip). */
async function claraZip(dir: string, out: string): Promise<void> {
  const script = `
import os, shutil, sys, tempfile
src, out = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
shutil.copytree(src, os.path.join(tmp, 'content'), ignore=shutil.ignore_patterns('content_zipfile_*.zip'))
with open(os.path.join(tmp, 'START.html'), 'w', encoding='utf-8') as f:
    f.write("""<h1>Content</h1>

<a href="./content/page_1.html"><b>Click here</b></a>
""")
os.makedirs(os.path.join(tmp, 'content', 'multimedia'), exist_ok=True)
shutil.make_archive(out[:-4], 'zip', tmp)
`
  const r = await spawnTool('python3', ['-c', script, dir, out])
  if (r.code !== 0) throw new Error(`python3: ${r.stderr}`)
}

/** name → bytes (directories: null). */
async function members(zip: string): Promise<Map<string, Buffer | null>> {
  const z = await ZipReader.open(zip)
  const out = new Map<string, Buffer | null>()
  for (const e of z.entries) out.set(e.name, e.kind === 'dir' ? null : await z.read(e))
  await z.close()
  return out
}

t.test('every rendered dir gets content_zipfile_<type>.zip, equal to the one C-LARA builds', async (t) => {
  const r = await rebuildContentZips(root)
  t.same(r.built, ['clara_compiled/37/content_zipfile_normal.zip', 'clara_compiled_phonetic/37/content_zipfile_phonetic.zip'])
  t.same(r.failed, [])
  for (const [type, rel] of [['normal', 'clara_compiled/37'], ['phonetic', 'clara_compiled_phonetic/37']]) {
    const ref = path.join(root, `reference_${type}.zip`)
    await claraZip(path.join(root, rel), ref)
    const want = await members(ref)
    const got = await members(path.join(root, rel, `content_zipfile_${type}.zip`))
    t.same([...got.keys()].sort(), [...want.keys()].sort(), `${type}: the same entries as C-LARA's (START.html, content/, content/multimedia/, …)`)
    for (const [name, data] of want) t.same(got.get(name), data, `${type}: ${name}`)
  }
  const normal = await members(path.join(root, 'clara_compiled/37/content_zipfile_normal.zip'))
  t.notOk([...normal.keys()].some((n) => n.includes('content_zipfile_')), 'the old content zip is not nested')
  t.equal(normal.get('START.html')!.toString(), '<h1>Content</h1>\n\n<a href="./content/page_1.html"><b>Click here</b></a>\n')
})

t.test('a rerun keeps a fresh zip; a page newer than the zip rebuilds it', async (t) => {
  const r = await rebuildContentZips(root)
  t.same(r.built, [])
  t.same(r.fresh, ['clara_compiled/37/content_zipfile_normal.zip', 'clara_compiled_phonetic/37/content_zipfile_phonetic.zip'])
  const later = new Date(Date.now() + 60_000)
  utimesSync(path.join(root, 'clara_compiled_phonetic/37/page_1.html'), later, later)
  t.same((await rebuildContentZips(root)).built, ['clara_compiled_phonetic/37/content_zipfile_phonetic.zip'])
})

t.test('a rebuild a kill interrupted leaves a temp file: swept, never a member, the zip the same as before', async (t) => {
  const dir = path.join(root, 'clara_compiled/37')
  const zip = path.join(dir, 'content_zipfile_normal.zip')
  const before = readFileSync(zip)
  rmSync(zip)
  // the temp name of a dead writer (pid 2^22 + 1 is above Linux's pid limit) with a fresh mtime
  const temp = path.join(dir, `.content_zipfile_normal.zip.${2 ** 22 + 1}.0badcafe.tmp`)
  writeFileSync(temp, 'half a zip')
  t.same((await rebuildContentZips(root)).built, ['clara_compiled/37/content_zipfile_normal.zip'])
  t.notOk(existsSync(temp), 'the leftover temp is removed')
  t.same(readFileSync(zip), before, 'the rebuilt zip holds the pages only, and the newest page’s time, as before')
})

t.test('a rendered dir whose install had no content zip (the restore says so): none built, listed as none', async (t) => {
  const rel = 'clara_compiled_phonetic/37/content_zipfile_phonetic.zip'
  rmSync(path.join(root, rel))
  const r = await rebuildContentZips(root, new Map([[rel, { state: 'none' }]]))
  t.same(r.none, [rel])
  t.same(r.built, [])
  t.same(r.fresh, ['clara_compiled/37/content_zipfile_normal.zip'], 'a dir the restore did not decide for is dealt with as before')
  t.notOk(existsSync(path.join(root, rel)))
})
