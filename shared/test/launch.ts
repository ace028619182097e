/** launch: a tool's bundle when it is there and newer than the last tsc builds, else its modules. */
import t from 'tap'
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { launch } from '../src/launch.js'

const g = globalThis as { launched?: string[] }

t.test('bundle when fresh; modules when it is missing, stale or CLARA_NO_BUNDLE is set', async (t) => {
  const root = t.testdir()
  let n = 0
  /** A fake tools/<t>/ whose two entries record which ran; `bundleAge`: seconds the bundle is older than the build (null: none). */
  const tool = (bundleAge: number | null) => {
    const dir = path.join(root, 'tools', `t${n++}`)
    mkdirSync(path.join(dir, 'dist/src'), { recursive: true })
    writeFileSync(path.join(dir, 'dist/src/bin.js'), `globalThis.launched.push('modules')\n`)
    writeFileSync(path.join(dir, 'dist/tsconfig.tsbuildinfo'), '{}')
    const now = Date.now() / 1000
    utimesSync(path.join(dir, 'dist/tsconfig.tsbuildinfo'), now, now)
    if (bundleAge !== null) {
      writeFileSync(path.join(dir, 'dist/src/bin.bundle.mjs'), `globalThis.launched.push('bundle')\n`)
      utimesSync(path.join(dir, 'dist/src/bin.bundle.mjs'), now - bundleAge, now - bundleAge)
    }
    return pathToFileURL(path.join(dir, 'bin.js')).href
  }
  g.launched = []
  await launch(tool(-10))
  await launch(tool(null))
  await launch(tool(10))
  process.env.CLARA_NO_BUNDLE = '1'
  await launch(tool(-10))
  delete process.env.CLARA_NO_BUNDLE
  t.same(g.launched, ['bundle', 'modules', 'modules', 'modules'])
  await t.rejects(launch(pathToFileURL(path.join(root, 'tools', 'none', 'bin.js')).href), 'nothing built: the import fails (bin.js exits 3)')
})
