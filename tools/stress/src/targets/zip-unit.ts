/** clara-zip-unit killed mid-run (source, legacy and media units of the fixture); rerun with --existing skip. */
import path from 'node:path'
import { artifactMap, diffMaps } from '../artifact-map.js'
import type { Target } from '../crash.js'
import { bin } from '../paths.js'
import { recordsOf, runCmd } from '../proc.js'
import { treeBytes } from '../tree-size.js'
import { must, unitsFile, type World } from '../world.js'
import { indexAll, intactDir, sameExit } from './common.js'

export async function zipUnitTarget(w: World): Promise<Target> {
  const units = await unitsFile(w)
  const ref = path.join(w.work, 'ref-zip-unit')
  const zip = (dest: string, extra: string[] = []) => ({ cmd: bin('clara-zip-unit'), args: ['--dest', dest, '--level', '1', '--quiet', ...extra], stdinFile: units })
  const d = must(await runCmd(zip(ref)), 'reference clara-zip-unit', [0, 1])
  const problems = await indexAll(ref, d.stdout)
  if (problems.length) throw new Error(problems.join('\n'))
  const want = await artifactMap(ref)
  return {
    name: 'zip-unit',
    records: recordsOf(d.stdout).length,
    bytes: treeBytes(ref),
    async start(trial, r) {
      const workers = r.pick(['1', '2'])
      const link = r.chance(0.25)
      const extra = ['--workers', workers, ...(link ? ['--link-dest', ref] : [])]
      return { cmd: zip(path.join(trial, 'run'), extra), watch: trial, note: `--workers ${workers}${link ? ' --link-dest' : ''}` }
    },
    afterKill: (trial) => intactDir(path.join(trial, 'run')),
    async converge(trial) {
      const run = path.join(trial, 'run')
      const again = await runCmd(zip(run, ['--existing', 'skip']))
      const out = await sameExit('clara-zip-unit --existing skip', again, d.code!, trial)
      out.push(...(await indexAll(run, again.stdout)))
      out.push(...(await intactDir(run)))
      out.push(...diffMaps(want, await artifactMap(run)))
      return out
    },
  }
}
