/**
 * What every `tools/<name>/bin.js` does: run the tool from its one-file bundle (scripts/bundle.mjs, part of
 * `pnpm run build`: it starts faster), or from its modules when there is no bundle, when the bundle is older
 * than the last tsc build of the tool, shared or clara-model, or when CLARA_NO_BUNDLE=1.
 */
import { statSync } from 'node:fs'

const BUILDS = ['./dist/tsconfig.tsbuildinfo', '../../shared/dist/tsconfig.tsbuildinfo', '../clara-model/dist/tsconfig.tsbuildinfo']

/** `binUrl`: the bin.js's own import.meta.url. */
export function launch(binUrl: string): Promise<unknown> {
  const mtime = (rel: string) => statSync(new URL(rel, binUrl), { throwIfNoEntry: false })?.mtimeMs ?? 0
  const bundle = mtime('./dist/src/bin.bundle.mjs')
  const fresh = bundle > 0 && !process.env.CLARA_NO_BUNDLE && BUILDS.every((b) => mtime(b) <= bundle)
  return import(new URL(fresh ? './dist/src/bin.bundle.mjs' : './dist/src/bin.js', binUrl).href)
}
