#!/usr/bin/env node
// Unit records (NDJSON with its end record) for the first N subdirectories of ROOT, one archive
// each, as a lister would emit them. Usage: zips-units.mjs ROOT N [DOMAIN]
import { readdirSync } from 'node:fs'
import path from 'node:path'

const [root, nArg, domain = 'source_exports'] = process.argv.slice(2)
const dirs = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort().slice(0, Number(nArg))
const out = dirs.map((d) => JSON.stringify({
  type: 'unit', domain, unit: d,
  archives: [{ name: 'source', sources: [{ dir: path.resolve(root, d), prefix: 'project_dir', exclude: ['.done'] }] }],
}))
process.stdout.write(out.join('\n') + `\n{"type":"end","count":${out.length}}\n`)
