/**
 * How a tool's code is loaded: from its one-file bundle (scripts/bundle.mjs, part of `pnpm run build`: it
 * starts faster), or from its modules when there is no bundle, when the bundle is older than the last tsc
 * build of the tool, shared or clara-model, or when CLARA_NO_BUNDLE=1. `launch` is what every
 * `tools/<name>/bin.js` does (runs the tool as the process); `loadMain` gives a tool's `main(io)` to run
 * inside another process (clara-backup composes the domain tools in-process).
 */
import { statSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { Main } from './cli.js'

const BUILDS = ['./dist/tsconfig.tsbuildinfo', '../../shared/dist/tsconfig.tsbuildinfo', '../clara-model/dist/tsconfig.tsbuildinfo']

/** `base`: a URL in the tool's folder (its bin.js); `name`: bin or main. */
function entry(base: URL, name: 'bin' | 'main'): string {
  const mtime = (rel: string) => statSync(new URL(rel, base), { throwIfNoEntry: false })?.mtimeMs ?? 0
  const bundle = mtime(`./dist/src/${name}.bundle.mjs`)
  const fresh = bundle > 0 && !process.env.CLARA_NO_BUNDLE && BUILDS.every((b) => mtime(b) <= bundle)
  return new URL(fresh ? `./dist/src/${name}.bundle.mjs` : `./dist/src/${name}.js`, base).href
}

/** `binUrl`: the bin.js's own import.meta.url. */
export function launch(binUrl: string): Promise<unknown> {
  return import(entry(new URL(binUrl), 'bin'))
}

/** The `main` of the tool in folder `toolDir` (tools/<name>). */
export async function loadMain(toolDir: string): Promise<Main> {
  const m = (await import(entry(pathToFileURL(`${toolDir}/`), 'main'))) as { main?: Main }
  if (typeof m.main !== 'function') throw new Error(`${toolDir}: its main module exports no main`)
  return m.main
}
