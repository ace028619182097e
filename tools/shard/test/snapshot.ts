import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { bytes, put, readJson, readMembers, scratch, sha256File, treeOf, untar } from './helpers.js'

const T = 1_710_000_000

function install(clara: string): void {
  const text = (n: number) => Buffer.from(`{"text": "Mary had a little lamb", "n": ${n}}\n`.repeat(200))
  put(clara, 'clara_content/Mary_had_a_little_lamb_37/stored_data.json', text(1), T)
  put(clara, 'clara_content/Mary_had_a_little_lamb_37/archive/plain_20240105101500.txt', text(2), T + 1)
  fs.mkdirSync(path.join(clara, 'clara_content/Mary_had_a_little_lamb_37/gloss'), { recursive: true }) // empty version dir
  put(clara, 'clara_content/Ça_va__12/metadata.json', text(3), T + 2)
  put(clara, 'clara_content/__pycache__/x.cpython-311.pyc', 'junk', T)
  put(clara, 'clara_content/tmp/project_zip_dir_1/a.txt', 'scratch', T)
  put(clara, 'images/image_repository_orm/Mary_had_a_little_lamb_37/image_for_whole_text.jpg', bytes(1, 300_000), T + 3)
  put(clara, 'prompt_templates/kok kaper/segmented_annotate_template.txt', text(4), T + 4)
  for (const d of ['clara_content/Mary_had_a_little_lamb_37/gloss', 'clara_content/Mary_had_a_little_lamb_37', 'clara_content/Ça_va__12', 'clara_content', 'images', 'prompt_templates']) {
    fs.utimesSync(path.join(clara, d), T + 100, T + 100)
  }
}

async function snapshot(dest: string, name: string, roots: string[], clara: string) {
  const argv = ['--dest', dest, '--domain', 'snapshots', '--single', name, '--exclude', '__pycache__', '--exclude', 'tmp']
  for (const r of roots) argv.push('--root', `${path.join(clara, r)}:${r}`)
  return runMain(main, { argv })
}

t.test('snapshots: one archive per call, several roots, missing roots recorded, index merged', async (t) => {
  const dir = scratch(t)
  const clara = path.join(dir, 'clara')
  install(clara)
  const server = net.createServer().listen(path.join(clara, 'clara_content', 'gunicorn.sock'))
  t.teardown(() => server.close())
  const dest = path.join(dir, 'run')
  const p = await snapshot(dest, 'full_projects_tree', ['clara_content'], clara)
  t.equal(p.code, 0, p.stderr)
  t.match(p.records.filter((r) => r.type === 'warning'), [{ item: 'clara_content/gunicorn.sock', message: /socket/ }])
  const m = await snapshot(dest, 'full_media_tree', ['images', 'gloss_images', 'phonetic_lexicon', 'prompt_templates', 'phonetic_orthography'], clara)
  t.equal(m.code, 0, m.stderr)
  t.equal(m.records.filter((r) => r.type === 'warning' && /missing/.test(String(r.message))).length, 3)
  const out = path.join(dest, 'snapshots')
  const index = readJson(path.join(out, 'index.json'))
  t.same(index.shards.map((s: { path: string }) => s.path), ['full_media_tree.tar', 'full_projects_tree.tgz'], 'text compresses, images do not')
  t.same(Object.keys(index.groups), ['full_media_tree', 'full_projects_tree'])
  t.same(index.groups.full_media_tree.missing_roots.map((r: string) => path.basename(r)), ['gloss_images', 'phonetic_lexicon', 'phonetic_orthography'])
  for (const s of index.shards) t.equal(s.sha256, sha256File(path.join(out, s.path)))
  const into = path.join(dir, 'x')
  untar(index.shards.map((s: { path: string }) => path.join(out, s.path)), into)
  const want = await treeOf(clara, { dirs: true })
  for (const k of Object.keys(want)) if (/__pycache__|(^|\/)tmp(\/|$)|\.sock$/.test(k)) delete want[k]
  t.same(await treeOf(into, { dirs: true }), want, 'byte-equal trees, empty folders and folder mtimes kept, exclusions left out')
  const rows = await readMembers(path.join(out, 'full_projects_tree.members.ndjson'))
  t.ok(rows.some((r) => r.path === 'clara_content/Mary_had_a_little_lamb_37/gloss' && r.kind === 'dir'))
  // calling the first snapshot again keeps the second one's entry, and reuses the archive in place
  const again = await snapshot(dest, 'full_projects_tree', ['clara_content'], clara)
  t.equal(again.code, 0)
  const index2 = readJson(path.join(out, 'index.json'))
  t.equal(index2.shards.length, 2)
  t.equal(index2.shards.find((s: { name: string }) => s.name === 'full_projects_tree.tgz').reused, true)
  t.same(fs.readdirSync(out).sort(), ['failures.json', 'full_media_tree.members.ndjson', 'full_media_tree.tar', 'full_projects_tree.members.ndjson', 'full_projects_tree.tgz', 'index.json'])
})
