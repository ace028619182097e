#!/usr/bin/env node
// The ten slowest test files of a tap run, for the end of `make test`: read from tap's own saved
// results (.tap/test-results/<file>.tap, one per test file, ending with the file's "# time=…ms"),
// counting only the files written since the run began (argv[2]: ms since the epoch). Prints nothing
// to parse for CI (.ci/run reads tap's "# { total: … }" line, printed before this).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

const since = Number(process.argv[2] ?? 0)
const top = Number(process.argv[3] ?? 10)
const root = '.tap/test-results'

function* files(dir) {
  let names = []
  try {
    names = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of names) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) yield* files(p)
    else if (e.name.endsWith('.tap')) yield p
  }
}

const times = []
for (const f of files(root)) {
  if (statSync(f).mtimeMs < since) continue
  // the file's own time: the last unindented "# time=" line
  const m = [...readFileSync(f, 'utf8').matchAll(/^# time=([\d.]+)ms$/gm)].at(-1)
  if (m) times.push({ file: path.relative(root, f).replace(/\.tap$/, ''), ms: Number(m[1]) })
}
times.sort((a, b) => b.ms - a.ms)
if (times.length) {
  console.log(`# the ${Math.min(top, times.length)} slowest of ${times.length} test files:`)
  for (const { file, ms } of times.slice(0, top)) console.log(`#   ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}`)
}
