/**
 * clara-restore (--sources, SQLite target) of the reference run killed at a random point, then
 * rerun: the tree and the table hashes must equal those of a restore never killed. The target
 * path is fixed (paths inside the data are rewritten to it), so restore trials run one at a time.
 */
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Target } from '../crash.js'
import { checkFinalNames } from '../final-names.js'
import { bin } from '../paths.js'
import { recordsOf, runCmd } from '../proc.js'
import { diffTables, diffTrees, restoredTree, tableHashes, type TreeLines } from '../restored-tree.js'
import { must, type World } from '../world.js'
import { sameExit } from './common.js'

/** After a kill, every file already under its final name is the finished restore's file, whole. */
async function noPartialFiles(to: string, want: TreeLines): Promise<string[]> {
  if (!existsSync(to)) return []
  const got = await restoredTree(to)
  const out: string[] = []
  for (const [p, v] of got.byPath) {
    if (v.startsWith('dir')) continue
    if (!want.byPath.has(p)) out.push(`${p}: not part of a finished restore`)
    else if (want.byPath.get(p)!.split('\t').slice(3, 5).join() !== v.split('\t').slice(3, 5).join()) out.push(`${p}: under its final name with other bytes than the finished restore's`)
  }
  return out
}

export async function restoreTarget(w: World): Promise<Target> {
  const run = path.join(w.baseRoot, w.refRunId)
  const to = path.join(w.work, 'restore-to')
  const dbFile = path.join(w.work, 'restore-db.sqlite3')
  const restore = { cmd: bin('clara-restore'), args: [run, '--to', to, '--db', `sqlite://${dbFile}`, '--sources', '--quiet'] }
  const fresh = () => Promise.all([fsp.rm(to, { recursive: true, force: true }), fsp.rm(dbFile, { force: true })])
  await fresh()
  const d = must(await runCmd(restore), 'reference clara-restore', [0, 1])
  const wantTree = await restoredTree(to)
  const wantTables = await tableHashes(`sqlite://${dbFile}`)
  const bytes = [...wantTree.byPath.values()].reduce((n, v) => n + Number(v.split('\t')[3]), 0)
  return {
    name: 'restore',
    records: recordsOf(d.stdout).length,
    bytes,
    async start() {
      await fresh()
      return { cmd: restore, watch: to, note: 'SQLite target, --sources' }
    },
    async afterKill() {
      const out = await noPartialFiles(to, wantTree)
      if (existsSync(dbFile)) out.push(...(await checkFinalNames(path.dirname(dbFile), (rel) => rel !== path.basename(dbFile))))
      return out
    },
    async converge(trial) {
      const again = await runCmd(restore)
      const out = await sameExit('clara-restore (rerun)', again, d.code!, trial)
      out.push(...diffTrees(wantTree, await restoredTree(to)))
      out.push(...diffTables(wantTables, await tableHashes(`sqlite://${dbFile}`)))
      return out
    },
  }
}
