/** Every clara-* bin answers --help: exit 0, the help on stdout, nothing on stderr (issue 2, "Done when"). */
import t from 'tap'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { binPath, spawnTool } from '../src/testkit-spawn.js'
import { repoRoot } from '../src/testkit.js'

/** Every bin of every tool package, read from tools/<name>/package.json: new tools are covered without edits here. */
function allBins(): string[] {
  const tools = path.join(repoRoot(), 'tools')
  const bins: string[] = []
  for (const dir of readdirSync(tools).sort()) {
    const pj = path.join(tools, dir, 'package.json')
    if (!existsSync(pj)) continue
    const bin = JSON.parse(readFileSync(pj, 'utf8')).bin
    if (typeof bin === 'string') bins.push(dir)
    else if (bin) bins.push(...Object.keys(bin))
  }
  return bins
}

const bins = allBins()
t.ok(bins.length >= 9, `found ${bins.length} bins: ${bins.join(' ')}`)

t.test('every clara-* bin answers --help', async (t) => {
  const queue = [...bins]
  const worker = async () => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      const bin = binPath(b)
      if (!existsSync(bin)) {
        t.fail(`${b}: not on node_modules/.bin (run make build; the root package.json must list the tool)`)
        continue
      }
      const r = await spawnTool(bin, ['--help'])
      t.equal(r.code, 0, `${b} --help exits 0${r.stderr ? `: ${r.stderr.split('\n')[0]}` : ''}`)
      t.ok(r.stdout.trim().length > 0, `${b} --help prints help on stdout`)
      t.match(r.stdout, /--help/, `${b} --help lists its options`)
      t.equal(r.stderr, '', `${b} --help prints nothing on stderr`)
    }
  }
  await Promise.all([worker(), worker(), worker()])
})
