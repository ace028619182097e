/** Rewrite the C-LARA JSON path files of a unit while they are still in its stage (mtime and mode kept). */
import fs from 'node:fs'
import { pathJsonFor } from './clara-paths.js'
import { relOf } from './mapping.js'
import { rewriteJson } from './json-rewrite.js'
import type { Rewrite, RootSet } from './old-roots.js'
import type { Stage } from './stage.js'
import type { Written } from './zip-unpack.js'

/** Told about each JSON file: what changed, or why it could not be read. */
export type JsonHook = (rel: string, changes: Rewrite[], note?: { reformatted?: boolean; error?: string }) => void

export function rewriteStagedJson(written: Written[], stages: Map<string, Stage>, roots: RootSet, hook: JsonHook): void {
  for (const w of written) {
    if (w.kind !== 'file') continue
    const rel = relOf(w)
    const rule = pathJsonFor(rel)
    if (!rule) continue
    const at = stages.get(w.target)!.at(w.sub)
    const st = fs.statSync(at)
    let r
    try {
      r = rewriteJson(fs.readFileSync(at, 'utf8'), rule, roots)
    } catch (err) {
      hook(rel, [], { error: (err as Error).message })
      continue
    }
    if (r.text !== null) {
      fs.writeFileSync(at, r.text)
      fs.utimesSync(at, st.atime, st.mtime)
      w.size = Buffer.byteLength(r.text)
    }
    hook(rel, r.changes, { reformatted: r.reformatted })
  }
}
