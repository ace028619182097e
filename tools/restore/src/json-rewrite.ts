/** Path fields of C-LARA's JSON files: read them, and rewrite them by parsing and re-serialising. */
import type { PathJson } from './clara-paths.js'
import type { PathStyle } from '@clara/clara-model/path-styles'
import type { Rewrite, RootSet } from './old-roots.js'
import { JObj, dumpJson, parseJson, styleOfJson, type JVal } from './py-json.js'

/** The objects holding the path field, per the rule's shape. */
function holders(doc: JVal, rule: PathJson): JObj[] {
  if (rule.shape === 'object') return doc instanceof JObj ? [doc] : []
  return Array.isArray(doc) ? doc.filter((x): x is JObj => x instanceof JObj) : []
}

/** Every path value in the file (for root detection and the proof). */
export function jsonPathValues(text: string, rule: PathJson): string[] {
  return holders(parseJson(text), rule)
    .map((o) => o.get(rule.field))
    .filter((v): v is string => typeof v === 'string')
}

export interface JsonRewrite {
  /** the new file text; null when nothing changed */
  text: string | null
  changes: Rewrite[]
  /** the original was not in Python's own layout, so more than the values changed */
  reformatted: boolean
}

/** Rewrite the path fields of one file's text. Throws SyntaxError on bad JSON. */
export function rewriteJson(text: string, rule: PathJson, roots: RootSet): JsonRewrite {
  const doc = parseJson(text)
  const st = styleOfJson(text)
  const changes: Rewrite[] = []
  for (const o of holders(doc, rule)) {
    const r = roots.rewrite(o.get(rule.field))
    if (!r) continue
    o.set(rule.field, r.value)
    changes.push(r)
  }
  if (!changes.length) return { text: null, changes, reformatted: false }
  const reformatted = dumpJson(parseJson(text), st) !== text
  return { text: dumpJson(doc, st), changes, reformatted }
}

/** Count rewrites per style. */
export function countStyles(changes: Rewrite[], into: Partial<Record<PathStyle, number>> = {}): Partial<Record<PathStyle, number>> {
  for (const c of changes) into[c.style] = (into[c.style] ?? 0) + 1
  return into
}
