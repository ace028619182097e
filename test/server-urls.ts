/**
 * Issue 14 item 1: compiled zips are self-contained. Every server URL pattern C-LARA's renderer,
 * templates and annotators write into rendered pages (tools/clara-model/src/server-urls.ts) is
 * put into a page of a small install (real schema, SQLite), the real clara-list-projects |
 * clara-zip-unit pipeline backs it up, and each zip is read back: every pattern is rewritten to a
 * file inside the zip (copied in), or reported, never silently left.
 */
import t from 'tap'
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { claraSchemaDir } from '@clara/shared/testkit'
import { ZipReader } from '@clara/shared/zip-reader'
import { q, records, sh } from './e2e-kit.js'

type Rec = Record<string, any>
const root = t.testdir()
const clara = path.join(root, 'clara')
const OLD = '/home/stm-admmxr/C-LARA'
const HOST = 'https://c-lara.unisa.edu.au'
const IID = 'Picture_words_41'
const GLOSS_REL = 'gloss_images/image_repository_orm/english/any/3f/tooth/tooth-yuk_20250101_101010_a1b2c3d4e5.png'
const GLOSS_FR = 'gloss_images/image_repository_orm/french/any/aa/dent/dent_20250101_101010_ffffffffff.png'

const FILES: Record<string, string | Buffer> = {
  [GLOSS_REL]: Buffer.alloc(700, 1),
  [GLOSS_FR]: Buffer.alloc(70, 2),
  [`images/image_repository_orm/${IID}/pic_thumbnail.png`]: Buffer.alloc(300, 3),
  'audio/tts_repository_orm/google/english/default/p1.mp3': Buffer.alloc(400, 4),
  'audio/tts_repository_orm/google/english/default/s1.mp3': Buffer.alloc(500, 5),
  'audio/tts_repository_orm/google/english/default/w1.mp3': Buffer.alloc(600, 6),
}

/**
 * The table: each server URL pattern, the markup C-LARA writes it in (templates/clara_page.html,
 * concordance_page.html; the annotators' values), the page it is put in, and what it must become.
 */
const PATTERNS: { kind: string; page: string; markup: string; becomes: string; inBundle?: string; copied?: [string, Buffer | string] }[] = [
  {
    kind: 'rendered_texts, the other text type (Sounds)', page: 'normal/page_1.html',
    markup: `<a href="/accounts/rendered_texts/41/phonetic/page_1.html">Sounds</a>`,
    becomes: `<a href="../phonetic/page_1.html">Sounds</a>`,
  },
  {
    kind: 'rendered_texts, the other text type (Words)', page: 'phonetic/page_1.html',
    markup: `<a href="/accounts/rendered_texts/41/normal/page_1.html">Words</a>`,
    becomes: `<a href="../normal/page_1.html">Words</a>`,
  },
  {
    kind: 'rendered_texts, the same text type', page: 'normal/page_1.html',
    markup: `<a href="${HOST}/accounts/rendered_texts/41/normal/page_2.html#s3">next</a>`,
    becomes: `<a href="page_2.html#s3">next</a>`,
    inBundle: `<a href="../normal/page_2.html#s3">next</a>`,
  },
  {
    kind: 'image_gloss_file on a word (data-image-gloss)', page: 'normal/page_1.html',
    markup: `<span class="word has-image-gloss" data-gloss="tooth" data-image-gloss="/accounts/image_gloss_file/7/" data-lemma="yuk" data-audio="./multimedia/w0.mp3">yuk</span>`,
    becomes: `<span class="word has-image-gloss" data-gloss="tooth" data-image-gloss="multimedia/${path.basename(GLOSS_REL)}" data-lemma="yuk" data-audio="./multimedia/w0.mp3">yuk</span>`,
    copied: [`multimedia/${path.basename(GLOSS_REL)}`, FILES[GLOSS_REL]],
  },
  {
    kind: 'image_gloss_file on an SVG area', page: 'normal/page_2.html',
    markup: `<g class="svg-word" data-gloss="tooth" data-image-gloss="/accounts/image_gloss_file/7/">`,
    becomes: `<g class="svg-word" data-gloss="tooth" data-image-gloss="multimedia/${path.basename(GLOSS_REL)}">`,
    copied: [`multimedia/${path.basename(GLOSS_REL)}`, FILES[GLOSS_REL]],
  },
  {
    kind: 'image_gloss_file of another language', page: 'phonetic/page_1.html',
    markup: `<span class="word has-image-gloss" data-image-gloss="${HOST}/accounts/image_gloss_file/8/">dent</span>`,
    becomes: `<span class="word has-image-gloss" data-image-gloss="multimedia/${path.basename(GLOSS_FR)}">dent</span>`,
    copied: [`multimedia/${path.basename(GLOSS_FR)}`, FILES[GLOSS_FR]],
  },
  {
    kind: 'serve_project_image (concordance thumbnail)', page: 'normal/concordance_yuk.html',
    markup: `<img src="/accounts/projects/serve_project_image/${IID}/pic_thumbnail.png" alt="Thumbnail">`,
    becomes: `<img src="multimedia/pic_thumbnail.png" alt="Thumbnail">`,
    copied: ['multimedia/pic_thumbnail.png', FILES[`images/image_repository_orm/${IID}/pic_thumbnail.png`]],
  },
  {
    kind: 'serve_audio_file in <source src>', page: 'normal/page_2.html',
    markup: `<source src="/accounts/serve_audio_file/google/english/default/p1.mp3" type="audio/mpeg">`,
    becomes: `<source src="multimedia/p1.mp3" type="audio/mpeg">`,
    copied: ['multimedia/p1.mp3', FILES['audio/tts_repository_orm/google/english/default/p1.mp3']],
  },
  {
    kind: 'serve_audio_file in data-segment-audio', page: 'normal/page_2.html',
    markup: `<span class="segment" data-segment-uid="s1" data-segment-audio="${HOST}/accounts/serve_audio_file/google/english/default/s1.mp3">`,
    becomes: `<span class="segment" data-segment-uid="s1" data-segment-audio="multimedia/s1.mp3">`,
    copied: ['multimedia/s1.mp3', FILES['audio/tts_repository_orm/google/english/default/s1.mp3']],
  },
  {
    kind: 'serve_audio_file in data-audio', page: 'phonetic/page_1.html',
    markup: `<span class="word" data-gloss="j" data-lemma="j" data-audio="/accounts/serve_audio_file/google/english/default/w1.mp3">j</span>`,
    becomes: `<span class="word" data-gloss="j" data-lemma="j" data-audio="multimedia/w1.mp3">j</span>`,
    copied: ['multimedia/w1.mp3', FILES['audio/tts_repository_orm/google/english/default/w1.mp3']],
  },
]

/** Server URLs that cannot be made local: reported (left as they are) or unresolved (an error for the unit). */
const LEFT = {
  reported: [
    ['normal/page_2.html', `<a href="/accounts/rendered_texts/41/normal/page_9.html">a page never rendered</a>`],
    ['normal/page_2.html', `<a href="/accounts/rendered_texts/42/normal/page_1.html">another project</a>`],
    ['normal/page_2.html', `<a href="/accounts/content/41/">a view with no file</a>`],
  ],
  unresolved: [['normal/page_2.html', `<span class="word" data-image-gloss="/accounts/image_gloss_file/9/">no such row</span>`]],
}

const pages = new Map<string, string[]>()
for (const p of PATTERNS) pages.set(p.page, [...(pages.get(p.page) ?? []), p.markup])
for (const [page, markup] of [...LEFT.reported, ...LEFT.unresolved]) pages.set(page, [...(pages.get(page) ?? []), markup])
const DIRS: Record<string, string> = { normal: 'clara_compiled/41', phonetic: 'clara_compiled_phonetic/41' }
for (const [page, lines] of pages) {
  const [type, file] = page.split('/')
  FILES[`${DIRS[type]}/${file}`] = `<html><body>\n${lines.join('\n')}\n</body></html>\n`
}

function write(): void {
  const when = new Date('2025-02-03T04:05:06Z')
  for (const [rel, body] of Object.entries(FILES)) {
    const abs = path.join(clara, rel)
    mkdirSync(path.dirname(abs), { recursive: true })
    writeFileSync(abs, body)
    utimesSync(abs, when, when)
  }
}

async function loadDb(url: string): Promise<void> {
  const db = await openDb(url, { readonly: false })
  const TS = '2025-01-01 10:10:10'
  const insert = async (table: string, r: Record<string, unknown>) => {
    const cols = Object.keys(r)
    await db.query(`insert into ${db.ident(table)} (${cols.map((c) => db.ident(c)).join(', ')}) values (${cols.map(() => '?').join(', ')})`, cols.map((c) => (typeof r[c] === 'boolean' ? (r[c] ? 1 : 0) : r[c])))
  }
  try {
    await db.exec(readFileSync(path.join(claraSchemaDir(), 'sqlite.sql'), 'utf8'))
    await db.exec(readFileSync(path.join(claraSchemaDir(), 'sqlite-migrations.sql'), 'utf8'))
    await insert('auth_user', { id: 1, password: 'x', last_login: null, is_superuser: false, username: 'u', first_name: '', last_name: '', email: '', is_staff: false, is_active: true, date_joined: TS })
    await insert('clara_app_claraproject', {
      id: 41, title: 'Picture words', l2: 'english', l1: 'french', user_id: 1, internal_id: IID, simple_clara_type: 'create_text_and_image', uses_coherent_image_set: false,
      use_translation_for_images: false, uses_coherent_image_set_v2: false, community_id: null, has_image_questionnaire: false, picture_gloss_style: 'any', uses_picture_glossing: true,
    })
    const gloss = (id: number, lang: string, file: string) => ({ id, language_id: lang, lemma: 'x', is_mwe: false, lemma_gloss: '', example_context: '', style_id: 'any', file_path: file, status: 'approved', created_at: TS, updated_at: TS })
    await insert('orm_image_gloss_metadata', gloss(7, 'english', `${OLD}/${GLOSS_REL}`))
    // a gloss of another language resolves too, as the server's image_gloss_file view would serve it
    await insert('orm_image_gloss_metadata', gloss(8, 'french', `${OLD}/${GLOSS_FR}`))
  } finally {
    await db.close()
  }
}

write()
const url = `sqlite://${path.join(clara, 'db.sqlite3')}`
await loadDb(url)

async function backup(dest: string, args = ''): Promise<{ code: number; recs: Rec[]; meta: Rec; zips: Map<string, Map<string, Buffer>> }> {
  const r = await sh(`clara-list-projects --clara ${q(clara)} --db ${q(url)} --units compiled ${args} | clara-zip-unit --dest ${q(dest)}`)
  const meta = JSON.parse(readFileSync(path.join(dest, 'compiled_exports/41/metadata.json'), 'utf8'))
  const zips = new Map<string, Map<string, Buffer>>()
  for (const a of meta.archives) {
    const z = await ZipReader.open(path.join(dest, a.path))
    const members = new Map<string, Buffer>()
    for (const e of z.entries) if (e.kind === 'file') members.set(e.name, await z.read(e))
    await z.close()
    zips.set(a.name, members)
  }
  return { code: r.code ?? -1, recs: records(r.stdout), meta, zips }
}

/** A page's member in the archives: per type `compiled_<type>` + file, in a bundle `compiled` + `<type>/file`. */
function member(zips: Map<string, Map<string, Buffer>>, page: string): [Map<string, Buffer>, string] {
  const [type, file] = page.split('/')
  return zips.has('compiled') ? [zips.get('compiled')!, page] : [zips.get(`compiled_${type}`)!, file]
}

for (const bundle of ['per-type', 'single']) {
  t.test(`every server URL pattern is rewritten (--bundle ${bundle})`, async (t) => {
    const b = await backup(path.join(root, bundle), `--bundle ${bundle}`)
    t.equal(b.code, 1, 'a gloss id with no row is unresolved: exit 1')
    for (const p of PATTERNS) {
      const [zip, name] = member(b.zips, p.page)
      const html = zip.get(name)!.toString('utf8')
      const becomes = bundle === 'single' ? p.inBundle ?? p.becomes : p.becomes
      t.ok(html.includes(becomes), `${p.kind}: ${becomes}`)
      t.notOk(html.includes(p.markup), `${p.kind}: the server URL is gone`)
      if (p.copied) {
        const at = path.posix.join(path.posix.dirname(name), p.copied[0])
        t.same(zip.get(at), p.copied[1], `${p.kind}: ${at} copied in from the repository`)
      }
      // a relative page link resolves inside the archive (in a bundle), or names the sibling type's folder
      const link = /href="(\.\.\/\w+\/page_\d+\.html|page_\d+\.html)/.exec(becomes)?.[1]
      if (link && b.zips.has('compiled')) t.ok(zip.has(path.posix.join(path.posix.dirname(name), link)), `${p.kind}: ${link} is in the zip`)
    }
    for (const [page, markup] of [...LEFT.reported, ...LEFT.unresolved]) {
      const [zip, name] = member(b.zips, page)
      t.ok(zip.get(name)!.toString('utf8').includes(markup), `left as it was: ${markup}`)
    }
    const ref = (x: Rec) => x.reference.replace(/^\s+/, '')
    t.same(b.meta.reported.map(ref).sort(), LEFT.reported.map(([, m]) => /href="[^"]*"/.exec(m)![0]).sort(), 'the links that cannot be made local are reported')
    t.same(b.meta.unresolved.map((u: Rec) => [ref(u), u.reason]), [[`data-image-gloss="/accounts/image_gloss_file/9/"`, 'no orm_image_gloss_metadata row with a file under gloss_images/image_repository_orm (gid 9)']])
    t.match(b.recs.filter((r) => r.type === 'warning' && r.unit === '41'), [{ during: 'zip', message: /^3 reference\(s\) left as they were/ }])
    t.match(b.recs.filter((r) => r.type === 'error'), [{ unit: '41', code: 'EUNRESOLVED' }])
    // nothing else of the server is left in any page
    for (const [, zip] of b.zips) {
      for (const [name, data] of zip) {
        if (!name.endsWith('.html')) continue
        const left = [...data.toString('utf8').matchAll(/\s[\w-]+="[^"]*\/accounts\/[^"]*"/g)].map((m) => m[0].trim())
        const known = [...LEFT.reported, ...LEFT.unresolved].map(([, m]) => m)
        t.ok(left.every((l) => known.some((k) => k.includes(l))), `${name}: no server URL left but the reported ones (${left.join(', ')})`)
      }
    }
  })
}

t.test('a link to a text type not in the run stays a server URL and is reported', async (t) => {
  const b = await backup(path.join(root, 'normal-only'), '--text-types normal')
  t.same([...b.zips.keys()], ['compiled_normal'])
  const html = b.zips.get('compiled_normal')!.get('page_1.html')!.toString('utf8')
  t.ok(html.includes(`<a href="/accounts/rendered_texts/41/phonetic/page_1.html">Sounds</a>`))
  t.ok(b.meta.reported.some((x: Rec) => x.member === 'page_1.html' && x.reference.includes('/accounts/rendered_texts/41/phonetic/page_1.html')), 'listed in metadata.json reported')
})
