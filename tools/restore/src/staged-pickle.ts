/**
 * Move the old-root paths inside a unit's pickled texts while they are still in its stage (mtime and
 * mode kept), as staged-json.ts does for the JSON path files: the pickle under its final name is
 * only ever the migrated one, so a killed restore never leaves the old bytes there for a rerun to
 * skip. Why C-LARA needs these paths: @clara/clara-model/pickles.
 */
import fs from 'node:fs'
import { CONTENT_FOLDER } from '@clara/clara-model/data-folders'
import { PICKLE_FILES } from '@clara/clara-model/pickles'
import { relOf } from './mapping.js'
import type { RootSet } from './old-roots.js'
import { rewritePickle } from './pickle.js'
import type { Stage } from './stage.js'
import type { Written } from './zip-unpack.js'

/** Told about each pickled text: how many strings moved, or why it could not be read (then it is kept as it was). */
export type PickleHook = (rel: string, changed: number, error?: string) => void

const NAMES = new Set<string>(PICKLE_FILES)

/** `clara_content/<project>/<pickle file>` */
export function isPickledText(rel: string): boolean {
  const parts = rel.split('/')
  return parts.length === 3 && parts[0] === CONTENT_FOLDER && NAMES.has(parts[2])
}

export function rewriteStagedPickles(written: Written[], stages: Map<string, Stage>, roots: RootSet, hook: PickleHook): void {
  for (const w of written) {
    if (w.kind !== 'file') continue
    const rel = relOf(w)
    if (!isPickledText(rel)) continue
    const at = stages.get(w.target)!.at(w.sub)
    const st = fs.statSync(at)
    let r
    try {
      r = rewritePickle(fs.readFileSync(at), (s) => roots.rewrite(s)?.value ?? null)
    } catch (err) {
      hook(rel, 0, (err as Error).message)
      continue
    }
    if (r.changed.length) {
      fs.writeFileSync(at, r.data)
      fs.utimesSync(at, st.atime, st.mtime)
      w.size = r.data.length
    }
    hook(rel, r.changed.length)
  }
}
