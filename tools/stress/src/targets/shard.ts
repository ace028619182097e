/** clara-shard killed while packing a ~20 MB audio-like tree into 2 MiB shards; rerun with --existing skip. */
import path from 'node:path'
import { artifactMap, diffMaps } from '../artifact-map.js'
import type { Target } from '../crash.js'
import { bin } from '../paths.js'
import { recordsOf, runCmd } from '../proc.js'
import { rng } from '../rng.js'
import { synthTree } from '../synth-tree.js'
import { treeBytes } from '../tree-size.js'
import { must, type World } from '../world.js'
import { intactDir, sameExit } from './common.js'

export async function shardTarget(w: World): Promise<Target> {
  const src = path.join(w.work, 'shard-src')
  await synthTree(src, rng(7), 400, 100)
  const ref = path.join(w.work, 'ref-shard')
  const shard = (dest: string, extra: string[] = []) => ({
    cmd: bin('clara-shard'),
    args: ['--dest', dest, '--domain', 'audio_cache', '--prefix', 'tts_audio_part', '--shard-size-mb', '2', '--gzip-level', '6', '--root', src, '--quiet', ...extra],
  })
  const d = must(await runCmd(shard(ref)), 'reference clara-shard')
  const want = await artifactMap(ref)
  return {
    name: 'shard',
    records: recordsOf(d.stdout).length,
    bytes: treeBytes(ref),
    async start(trial, r) {
      const link = r.chance(0.25)
      return { cmd: shard(path.join(trial, 'run'), link ? ['--link-dest', ref] : []), watch: trial, note: link ? '--link-dest' : 'fresh' }
    },
    afterKill: (trial) => intactDir(path.join(trial, 'run')),
    async converge(trial) {
      const run = path.join(trial, 'run')
      const again = await runCmd(shard(run, ['--existing', 'skip']))
      const out = await sameExit('clara-shard --existing skip', again, d.code!, trial)
      out.push(...(await intactDir(run)))
      out.push(...diffMaps(want, await artifactMap(run)))
      return out
    },
  }
}
