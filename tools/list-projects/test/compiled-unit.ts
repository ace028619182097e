import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Rewrite } from '@clara/shared/records'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { contentZipsOf, mediaRewrites, pageLinkRewrite } from '../src/compiled-unit.js'
import { realFixture } from './real-fixture.js'

type Rec = Record<string, any>
const dir = t.testdir()
const fx = await realFixture(dir)
const CLARA = '/srv/clara'

/** What clara-zip-unit does with a plain Rewrite: global regex, `${group}` templates, copies relative to the member. */
function apply(rws: Rewrite[], member: string, text: string): { text: string; copies: { from: string; to: string }[] } {
  const copies: { from: string; to: string }[] = []
  const fill = (tpl: string, g: Record<string, string | undefined>) => tpl.replace(/\$\{(\w+)(:url)?\}/g, (_, k, url) => (url ? decodeURIComponent(g[k] ?? '') : (g[k] ?? '')))
  for (const r of rws) {
    // lookups and reports are clara-zip-unit's own (tested there and end to end in test/server-urls.ts)
    if (!new RegExp(r.files).test(member) || r.lookup || r.report !== undefined) continue
    text = text.replace(new RegExp(r.pattern, 'g'), (...args) => {
      const g = args.at(-1) as Record<string, string | undefined>
      if (r.copy) copies.push({ from: fill(r.copy.from, g), to: path.posix.join(path.posix.dirname(member), fill(r.copy.to, g)) })
      return fill(r.replace, g)
    })
  }
  return { text, copies }
}

async function units(argv: string[]): Promise<Rec[]> {
  const r = await runMain(main, { argv: ['--clara', fx.clara, '--db', fx.url, '--units', 'compiled', ...argv] })
  t.equal(r.code, 0, r.stderr)
  return r.records.filter((x) => x.type === 'unit') as Rec[]
}

t.test('image and audio server URLs become multimedia/<basename>, with copies from the repositories', async (t) => {
  const rws = [...mediaRewrites(CLARA), ...pageLinkRewrite(37, 'normal', '', ['page_1.html', 'page_2.html'])]
  const html = [
    '<img src="/accounts/projects/serve_project_image/Mary_had_a_little_lamb_37/image_for_whole_text_thumbnail.jpg">',
    `<audio src='https://c-lara.unisa.edu.au/accounts/serve_audio_file/google/en-GB/en-GB-News-J/a_1.mp3'></audio>`,
    '<source src = "http://localhost:8000/accounts/serve_audio_file/human_voice/old norse/manny/m 1.mp3?x=1">',
    '<a href="/accounts/projects/serve_project_image/Ça_va__12/sub/p.png">big</a>',
    '<a href="/accounts/rendered_texts/37/normal/page_2.html#w3">words</a>',
    '<a href="/accounts/rendered_texts/37/normal/page_9.html">a page the renderer never wrote</a>',
    '<a href="/accounts/rendered_texts/37/phonetic/page_2.html">sounds</a>',
    '<a href="/accounts/rendered_texts/370/normal/page_2.html">another project</a>',
    '<img data-src="/accounts/projects/serve_project_image/X/y.png"><span data-audio="./multimedia/w.mp3"></span>',
    '<img src="/accounts/image_gloss_file/17/">',
  ].join('\n')
  const r = apply(rws, 'concordance_look up.html', html)
  t.same(r.text.split('\n'), [
    '<img src="multimedia/image_for_whole_text_thumbnail.jpg">',
    `<audio src='multimedia/a_1.mp3'></audio>`,
    '<source src = "multimedia/m 1.mp3">',
    '<a href="multimedia/p.png">big</a>',
    '<a href="page_2.html#w3">words</a>',
    '<a href="/accounts/rendered_texts/37/normal/page_9.html">a page the renderer never wrote</a>',
    '<a href="/accounts/rendered_texts/37/phonetic/page_2.html">sounds</a>',
    '<a href="/accounts/rendered_texts/370/normal/page_2.html">another project</a>',
    '<img data-src="/accounts/projects/serve_project_image/X/y.png"><span data-audio="./multimedia/w.mp3"></span>',
    '<img src="/accounts/image_gloss_file/17/">',
  ])
  t.same(r.copies, [
    { from: `${CLARA}/images/image_repository_orm/Mary_had_a_little_lamb_37/image_for_whole_text_thumbnail.jpg`, to: 'multimedia/image_for_whole_text_thumbnail.jpg' },
    { from: `${CLARA}/images/image_repository_orm/Ça_va__12/sub/p.png`, to: 'multimedia/p.png' },
    { from: `${CLARA}/audio/tts_repository_orm/google/en-GB/en-GB-News-J/a_1.mp3`, to: 'multimedia/a_1.mp3' },
    { from: `${CLARA}/audio/tts_repository_orm/human_voice/old norse/manny/m 1.mp3`, to: 'multimedia/m 1.mp3' },
  ])
  const bundled = apply([...mediaRewrites(CLARA), ...pageLinkRewrite(37, 'normal', '../normal/', ['page_1.html']), ...pageLinkRewrite(37, 'phonetic', '../phonetic/', ['page_1.html'])], 'phonetic/page_1.html',
    '<img src="/accounts/projects/serve_project_image/I/x.jpg"><a href="/accounts/rendered_texts/37/normal/page_1.html">w</a>')
  t.equal(bundled.text, '<img src="multimedia/x.jpg"><a href="../normal/page_1.html">w</a>', 'in a bundle, the other type is a sibling folder')
  t.same(bundled.copies.map((c) => c.to), ['phonetic/multimedia/x.jpg'])
})

t.test('one archive per text type present, restored to its own root', async (t) => {
  const list = await units([])
  t.same(list.map((u) => u.unit), ['12', '37', '60', 'orphan-99'], 'projects without rendered output have no compiled unit')
  const mary = list.find((u) => u.unit === '37')!
  t.equal(mary.domain, 'compiled_exports')
  t.same(mary.archives.map((a: Rec) => a.name), ['compiled_normal', 'compiled_phonetic', 'compiled_questionnaire'])
  t.same(mary.archives.map((a: Rec) => a.sources), [
    [{ dir: path.join(fx.clara, 'clara_compiled/37'), prefix: '', exclude: ['content_zipfile_*.zip', '__pycache__'], restore_to: 'clara_compiled/37' }],
    [{ dir: path.join(fx.clara, 'clara_compiled_phonetic/37'), prefix: '', exclude: ['content_zipfile_*.zip', '__pycache__'], restore_to: 'clara_compiled_phonetic/37' }],
    [{ dir: path.join(fx.clara, 'clara_compiled_for_questionnaire/37'), prefix: '', exclude: ['content_zipfile_*.zip', '__pycache__'], restore_to: 'clara_compiled_for_questionnaire/37' }],
  ])
  for (const a of mary.archives) t.ok(a.rewrites.every((r: Rec) => r.files === '\\.html?$'), 'every html file is rewritten, not only pages')
  t.match(mary.metadata, { id: 37, title: 'Mary had a little lamb', text_types: ['normal', 'phonetic', 'questionnaire'], bundle: 'per-type' })
  t.same(mary.metadata.content_zips, ['normal'], "37's normal dir holds C-LARA's content zip (left out of the archive), its phonetic dir none")
  t.same(list.find((u) => u.unit === '12')!.metadata.content_zips, [], 'a unit without content zips says so (an empty list, not no field)')
  t.match(list.at(-1), { unit: 'orphan-99', metadata: { orphan: true, name: '99', paths: ['clara_compiled/99'] }, archives: [{ name: 'compiled_normal' }] })
})

t.test('--text-types restricts, --bundle single makes one compiled archive with a folder per type', async (t) => {
  const only = await units(['--text-types', 'phonetic'])
  t.same(only.map((u) => [u.unit, u.archives.map((a: Rec) => a.name)]), [['12', ['compiled_phonetic']], ['37', ['compiled_phonetic']]])
  const single = await units(['--bundle', 'single', '--only', '37'])
  t.equal(single.length, 1)
  t.same(single[0].archives.map((a: Rec) => a.name), ['compiled'])
  t.same(single[0].archives[0].sources.map((s: Rec) => [s.prefix, s.restore_to]), [
    ['normal/', 'clara_compiled/37'], ['phonetic/', 'clara_compiled_phonetic/37'], ['questionnaire/', 'clara_compiled_for_questionnaire/37'],
  ])
  t.equal(single[0].metadata.bundle, 'single')
})

t.test('content_zips: the types whose rendered dir holds its own content zip, a regular file', async (t) => {
  const clara = t.testdir({
    clara_compiled: { 5: { 'page_1.html': 'p', 'content_zipfile_normal.zip': 'PK' }, 6: { 'page_1.html': 'p', 'content_zipfile_phonetic.zip': 'PK' } },
    clara_compiled_phonetic: { 5: { 'page_1.html': 'p' }, 6: { 'page_1.html': 'p', 'content_zipfile_phonetic.zip': t.fixture('symlink', '/etc/hostname') } },
    clara_compiled_for_questionnaire: { 5: { 'page_1.html': 'p', 'content_zipfile_questionnaire.zip': 'PK' } },
  })
  const all = [{ type: 'normal' as const }, { type: 'phonetic' as const }, { type: 'questionnaire' as const }]
  t.same(contentZipsOf(clara, '5', all), ['normal'], 'a questionnaire has no content zip in C-LARA')
  t.same(contentZipsOf(clara, '6', all), [], "another type's zip name, or a symlink, is not the dir's content zip")
  t.same(contentZipsOf(clara, '5', [{ type: 'normal', file: true }]), [], 'a stray file of that name has no rendered dir')
  const bytes = Buffer.from([0x6f, 0xff])
  mkdirSync(Buffer.concat([Buffer.from(`${clara}/clara_compiled_phonetic/`), bytes]))
  writeFileSync(Buffer.concat([Buffer.from(`${clara}/clara_compiled_phonetic/`), bytes, Buffer.from('/content_zipfile_phonetic.zip')]), 'PK')
  t.same(contentZipsOf(clara, bytes, [{ type: 'phonetic' }]), ['phonetic'], 'a name that is not UTF-8 is looked up by its bytes')
})
