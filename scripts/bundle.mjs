#!/usr/bin/env node
// Part of `pnpm run build`, after tsc: bundles each tool's compiled entry (tools/<t>/dist/src/bin.js) with the
// workspace code and the small pure-JS dependencies (yargs, tar-stream, …) into one file,
// tools/<t>/dist/src/bin.bundle.mjs, which tools/<t>/bin.js loads (shared/src/launch.ts) when it is there and fresh,
// and its main module (main.js) into main.bundle.mjs, which clara-backup loads in the thread where it composes a
// domain's tools. Why: resolving and loading ~60 ES modules cost ~40 ms of CPU per process or thread, and a
// backup run loads ~20 tools; one file loads in a fraction of that. The bundle sits beside the modules
// it replaces, so every `new URL('./x.js', import.meta.url)` (worker threads, package.json) still finds
// the unbundled file it names. A worker thread's entry listed in the tool's package.json `bundleWorkers`
// (e.g. "dist/src/worker.js") gets a bundle of its own beside it (worker.bundle.mjs), which the tool's
// code starts instead when it runs from its bundle: each worker thread then loads one file, not ~40 modules.
// Left out of the bundles, and loaded only when used: the native better-sqlite3 and the database drivers.
// They are imported by a path relative to the bundle, because a tool's own node_modules does not list them.
import { build } from 'esbuild'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const LAZY = new Set(['better-sqlite3', 'pg', 'pg-native', 'mysql2', 'mysql2/promise'])

/** Resolve a lazy package where the importing module would, then import it by a path relative to the bundle. */
const lazyByPath = (outDir) => ({
  name: 'lazy-by-path',
  setup(b) {
    b.onResolve({ filter: /^[a-z@]/ }, async (args) => {
      if (!LAZY.has(args.path) || args.pluginData?.lazy) return undefined
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { lazy: true } })
      if (r.errors.length) return { errors: r.errors }
      const rel = path.relative(outDir, r.path).split(path.sep).join('/')
      return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true }
    })
  },
})

const tools = readdirSync(path.join(repo, 'tools'))
  .map((t) => path.join(repo, 'tools', t))
  .filter((dir) => existsSync(path.join(dir, 'package.json')) && JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).bin)

const t0 = Date.now()
// bin.bundle.mjs runs the tool as a process; main.bundle.mjs only exports its main(io), for clara-backup,
// which runs the domain tools in its own process (shared/src/launch.ts loadMain); then the worker entries
// the tool's package.json lists in `bundleWorkers`.
const entriesOf = (dir) => ['dist/src/bin.js', 'dist/src/main.js', ...(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).bundleWorkers ?? [])]
  .map((rel) => path.join(dir, rel))

await Promise.all(tools.flatMap((dir) => entriesOf(dir)).map(async (entry) => {
  if (!existsSync(entry)) throw new Error(`${entry}: not built (run tsc -b first)`)
  const outDir = path.dirname(entry)
  await build({
    entryPoints: [entry],
    outfile: path.join(outDir, `${path.basename(entry, '.js')}.bundle.mjs`),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    legalComments: 'none',
    // CommonJS dependencies (tar-stream) call require() for node built-ins.
    banner: { js: "import { createRequire as __claraRequire } from 'node:module'; const require = __claraRequire(import.meta.url);" },
    plugins: [lazyByPath(outDir)],
  })
}))
console.error(`bundle: ${tools.length} tools in ${Date.now() - t0} ms`)
