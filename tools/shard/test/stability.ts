import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { bytes, put, readJson, readMembers, scratch } from './helpers.js'

const VOICES = Array.from({ length: 20 }, (_, i) => `engine${i % 4}/lang${i % 5}/voice${i}`)
const YEAR = 365 * 86400
const T0 = 1_690_000_000

/** ~2000 mp3-like files of 1-5 KB; file i is i/n of the way through a year, like a growing TTS cache. */
function cache(root: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = VOICES[i % VOICES.length]
    put(root, `${v}/${v.split('/')[2]}_${String(i).padStart(6, '0')}.mp3`, bytes(i, 1000 + ((i * 7919) % 4000)), T0 + Math.floor((i * YEAR) / n))
  }
}

async function run(t: { equal: (...a: any[]) => unknown }, src: string, dest: string) {
  const r = await runMain(main, { argv: ['--dest', dest, '--domain', 'audio_cache', '--prefix', 'tts', '--root', src, '--shard-size-mb', '0.5'] })
  t.equal(r.code, 0, r.stderr)
  const index = readJson(path.join(dest, 'audio_cache', 'index.json'))
  const shards = index.shards as { sha256: string; members_path: string }[]
  const members: string[][] = []
  for (const s of shards) members.push((await readMembers(path.join(dest, 'audio_cache', s.members_path))).map((m) => m.path as string))
  return { shards, members }
}

/** How a second run's shards compare with the first's: changed ones, and those holding an added file. */
function compare(before: { shards: { sha256: string }[] }, after: Awaited<ReturnType<typeof run>>, added: Set<string>) {
  const old = new Set(before.shards.map((s) => s.sha256))
  const changed = after.shards.map((s, i) => (old.has(s.sha256) ? -1 : i)).filter((i) => i >= 0)
  const receiving = after.members.map((ms, i) => (ms.some((m) => added.has(m)) ? i : -1)).filter((i) => i >= 0)
  return { changed, receiving }
}

t.test('1% new files (new mtimes, across every voice folder) change only the last shards', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  cache(src, 2000)
  const first = await run(t, src, path.join(dir, 'run1'))
  const added = new Set<string>()
  for (let k = 0; k < 20; k++) {
    const v = VOICES[k]
    const rel = `${v}/${v.split('/')[2]}_new_${k}.mp3`
    put(src, rel, bytes(10_000 + k, 3000), T0 + YEAR + 3600 + k)
    added.add(rel)
  }
  const second = await run(t, src, path.join(dir, 'run2'))
  const { changed, receiving } = compare(first, second, added)
  t.comment(`shards ${first.shards.length} → ${second.shards.length}; changed ${changed.length}; receiving ${receiving.length}`)
  t.ok(first.shards.length >= 20, 'enough shards to measure')
  t.ok(changed.length <= 2, `at most 2 shards changed (${changed.length})`)
  t.same(changed, receiving, 'exactly the shards that received the new files changed')
  t.same(second.shards.slice(0, first.shards.length - 1).map((s) => s.sha256), first.shards.slice(0, -1).map((s) => s.sha256), 'every older shard byte-identical')
})

t.test('1% new files with OLD mtimes spread through the tree change only the shards they land in (and at most a neighbour)', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  cache(src, 2000)
  const first = await run(t, src, path.join(dir, 'run1'))
  const added = new Set<string>()
  for (let k = 0; k < 20; k++) {
    const v = VOICES[(k * 7) % VOICES.length]
    const rel = `${v}/${v.split('/')[2]}_restored_${k}.mp3`
    put(src, rel, bytes(20_000 + k, 3000), T0 + Math.floor(((k + 0.5) * YEAR) / 20))
    added.add(rel)
  }
  const second = await run(t, src, path.join(dir, 'run2'))
  const { changed, receiving } = compare(first, second, added)
  const near = (i: number) => receiving.some((r) => Math.abs(r - i) <= 1)
  t.comment(`shards ${first.shards.length} → ${second.shards.length}; changed ${changed.length}; receiving ${receiving.length}`)
  t.ok(changed.every(near), 'every changed shard holds a new file or borders one that does')
  t.ok(changed.length <= receiving.length + 4, `changed ${changed.length} ≤ receiving ${receiving.length} + 4`)
  t.ok(second.shards.length - changed.length >= first.shards.length / 3, 'a good part of the shards byte-identical')
})
