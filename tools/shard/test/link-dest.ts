import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { bytes, put, readJson, readMembers, scratch, treeOf, untar } from './helpers.js'

const T0 = 1_700_000_000

function tree(src: string, n: number): void {
  for (let i = 0; i < n; i++) put(src, `v${i % 5}/clip_${String(i).padStart(4, '0')}.mp3`, bytes(i, 2000 + ((i * 37) % 3000)), T0 + i * 60)
}

async function shard(src: string, dest: string, extra: string[] = []) {
  const r = await runMain(main, { argv: ['--dest', dest, '--domain', 'audio_cache', '--prefix', 'tts', '--root', src, '--shard-size-mb', '0.1', ...extra] })
  return { ...r, index: readJson(path.join(dest, 'audio_cache', 'index.json')) }
}

const ino = (p: string) => fs.statSync(p).ino

t.test('--link-dest: unchanged shards are hard links into the previous run; changed ones are new files', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  tree(src, 300)
  const run1 = path.join(dir, 'run1')
  const a = await shard(src, run1)
  t.equal(a.code, 0, a.stderr)
  put(src, 'v0/clip_new.mp3', bytes(999, 3000), T0 + 400 * 60)
  const run2 = path.join(dir, 'run2')
  const b = await shard(src, run2, ['--link-dest', run1])
  t.equal(b.code, 0, b.stderr)
  const old = new Map<string, string>(a.index.shards.map((s: { fingerprint: string; path: string }) => [s.fingerprint, s.path]))
  let linked = 0
  for (const s of b.index.shards) {
    const prev = old.get(s.fingerprint)
    const here = path.join(run2, 'audio_cache', s.path)
    if (prev) {
      linked++
      t.equal(s.reused, true)
      t.equal(ino(here), ino(path.join(run1, 'audio_cache', prev)), `${s.name} is the same inode`)
      t.equal(ino(path.join(run2, 'audio_cache', s.members_path)), ino(path.join(run1, 'audio_cache', s.members_path)), 'listing linked too')
    } else {
      t.equal(s.reused, false)
      t.equal(fs.statSync(here).nlink, 1, `${s.name} written anew`)
    }
  }
  t.ok(linked >= a.index.shards.length - 1, `all but the last shard reused (${linked}/${b.index.shards.length})`)
  t.equal(b.index.totals.reused, linked)
  t.equal(b.records.filter((x) => x.type === 'artifact' && x.reused).length, linked)
  const into = path.join(dir, 'x')
  untar(b.index.shards.map((s: { path: string }) => path.join(run2, 'audio_cache', s.path)), into)
  t.same(await treeOf(into), await treeOf(src), 'the incremental run is complete by itself')
})

t.test('a rerun into the same run directory keeps what is there; renumbered shards stay correct', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  // files bigger than half the bound: one per shard, so an older file added later renumbers them all
  for (let i = 0; i < 4; i++) put(src, `f${i}.mp3`, bytes(i, 60_000), T0 + 100 + i)
  const run = path.join(dir, 'run')
  const a = await shard(src, run)
  t.equal(a.index.shards.length, 4)
  const inodes = a.index.shards.map((s: { path: string }) => ino(path.join(run, 'audio_cache', s.path)))
  const again = await shard(src, run)
  t.equal(again.index.totals.reused, 4, 'everything reused in place')
  t.same(again.index.shards.map((s: { path: string }) => ino(path.join(run, 'audio_cache', s.path))), inodes)
  put(src, 'a_oldest.mp3', bytes(77, 60_000), T0)
  const b = await shard(src, run)
  t.equal(b.code, 0, b.stderr)
  t.equal(b.index.shards.length, 5)
  t.equal(b.index.totals.reused, 4)
  for (const s of b.index.shards) {
    const rows = await readMembers(path.join(run, 'audio_cache', s.members_path))
    t.equal(rows.length, 1)
    const into = path.join(dir, 'x_' + s.name)
    untar([path.join(run, 'audio_cache', s.path)], into)
    t.same(fs.readdirSync(into), [rows[0].path], `${s.name} holds what its listing says`)
    t.equal(readJson(path.join(run, 'audio_cache', 'index.json')).shards.find((x: { name: string }) => x.name === s.name).first_path, rows[0].path)
  }
  const names = fs.readdirSync(path.join(run, 'audio_cache', 'archives')).sort()
  t.equal(names.length, 10, 'no stray temp or stale files')
  t.notOk(names.some((n) => n.endsWith('.tmp')))
})

t.test('--full rewrites; changed settings are not reused', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  tree(src, 40)
  const run1 = path.join(dir, 'run1')
  await shard(src, run1)
  const full = await shard(src, path.join(dir, 'run2'), ['--link-dest', run1, '--full'])
  t.equal(full.index.totals.reused, 0)
  const gz = await shard(src, path.join(dir, 'run3'), ['--link-dest', run1, '--compress', 'gzip'])
  t.equal(gz.index.totals.reused, 0)
  t.ok(gz.index.shards.every((s: { name: string }) => s.name.endsWith('.tgz')))
  const same = await shard(src, path.join(dir, 'run4'), ['--link-dest', run1])
  t.equal(same.index.totals.reused, same.index.shards.length)
  t.same(same.index.shards.map((s: { sha256: string }) => s.sha256), full.index.shards.map((s: { sha256: string }) => s.sha256), 'rewritten shards are byte-identical to reused ones')
})

t.test('--checksums re-hashes before reusing (a damaged archive is rewritten); --existing overwrite rewrites in place', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  tree(src, 40)
  const run1 = path.join(dir, 'run1')
  const a = await shard(src, run1)
  const first = path.join(run1, 'audio_cache', a.index.shards[0].path)
  const fd = fs.openSync(first, 'r+')
  fs.writeSync(fd, Buffer.from('X'), 0, 1, 700) // same size, other bytes: bit rot
  fs.closeSync(fd)
  const trusting = await shard(src, path.join(dir, 'run2'), ['--link-dest', run1])
  t.equal(trusting.index.totals.reused, a.index.shards.length, 'by default size and member list are trusted')
  const checking = await shard(src, path.join(dir, 'run3'), ['--link-dest', run1, '--checksums', '--workers', '2'])
  t.equal(checking.code, 0)
  t.equal(checking.index.totals.reused, a.index.shards.length - 1, 'the damaged one is written again')
  t.equal(checking.index.shards[0].reused, false)
  t.equal(checking.index.shards[0].sha256, a.index.shards[0].sha256, 'and comes out as it was first written')
  const run4 = path.join(dir, 'run4')
  await shard(src, run4)
  const before = ino(path.join(run4, 'audio_cache', a.index.shards[1].path))
  const over = await shard(src, run4, ['--existing', 'overwrite'])
  t.equal(over.index.totals.reused, 0)
  t.not(ino(path.join(run4, 'audio_cache', a.index.shards[1].path)), before)
})
