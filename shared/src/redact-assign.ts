/**
 * Named secrets: `NAME=value`, `export NAME='…'`, `NAME = "…"`, `"name": "…"` (JSON, also with
 * `\"` escaping), `'NAME': '…'` (Python), `name: value` (YAML/INI), `Environment="NAME=…"`.
 */
import { isPlaceholder, type Span } from './redact-patterns.js'

export interface NameRules {
  namePattern: RegExp
  /** upper-cased names that are always secret */
  secretNames: Set<string>
  /** upper-cased names never secret by name */
  keepNames: Set<string>
  redactExports: boolean
}

/** export? quote? NAME quote? separator, where the separator is not `==`, `::` or `://`. */
const HEAD = /(?<![A-Za-z0-9_$])(export\s+)?(\\?["'])?([A-Za-z_][A-Za-z0-9_.-]*)\2(=(?!=)|[ \t]*[=:](?![=:/])[ \t]*)/g
/** Longest quoted value we follow (shell single quotes may span lines). */
const MAX_QUOTED = 64 * 1024

export function isSecretName(name: string, rules: NameRules, isExport: boolean): boolean {
  const up = name.toUpperCase()
  if (rules.secretNames.has(up)) return true
  if (rules.keepNames.has(up)) return false
  if (rules.namePattern.test(name)) return true
  return isExport && rules.redactExports
}

interface Value {
  start: number
  end: number
  /** a bare code expression (`os.getenv(…)`, `env["X"]`): not a literal secret */
  expression?: boolean
}

function lineEnd(text: string, pos: number): number {
  const i = text.indexOf('\n', pos)
  return i === -1 ? text.length : i
}

/** A quoted value starting at `pos` (the opening quote); falls back to the end of the line. */
function quoted(text: string, pos: number): Value {
  const q = text[pos] === '\\' ? '\\"' : text[pos]
  const start = pos + q.length
  let end = text.indexOf(q, start)
  // a double-quoted (non-shell-single) string may escape its quote with a backslash
  while (q === '"' && end > 0 && text[end - 1] === '\\') end = text.indexOf(q, end + 1)
  if (end === -1 || end - start > MAX_QUOTED) end = lineEnd(text, start)
  return { start, end }
}

/** A bare value: shell style stops at whitespace; spaced (`a = b`, `a: b`) runs to the end of the line. */
function bare(text: string, pos: number, spaced: boolean, outerQuote: boolean): Value {
  const eol = lineEnd(text, pos)
  let end = pos
  if (outerQuote) {
    end = text.indexOf('"', pos)
    if (end === -1 || end > eol) end = eol
  } else {
    const stop = spaced ? /[,;)\]}]|\s+#/g : /[\s'"`;&|)]/g
    stop.lastIndex = pos
    const m = stop.exec(text)
    end = m && m.index < eol ? m.index : eol
    while (end > pos && /\s/.test(text[end - 1])) end--
  }
  const expression = /^[A-Za-z_][\w.]*\s*[([]/.test(text.slice(pos, end + 1))
  return { start: pos, end, expression }
}

/** Spans of the values of secret-named assignments (the quotes stay outside the span). */
export function assignmentSpans(text: string, rules: NameRules): Span[] {
  const spans: Span[] = []
  const re = new RegExp(HEAD.source, 'g')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [head, exp, nameQuote, name, sep] = m
    if (!isSecretName(name, rules, Boolean(exp))) continue
    const pos = m.index + head.length
    const outerQuote = !nameQuote && text[m.index + (exp?.length ?? 0) - 1] === '"'
    const c = text[pos]
    const v = c === '"' || c === "'" || (c === '\\' && text[pos + 1] === '"') ? quoted(text, pos) : bare(text, pos, sep !== '=', outerQuote)
    if (v.expression || isPlaceholder(text.slice(v.start, v.end))) continue
    spans.push({ start: v.start, end: v.end, kind: 'assignment', name })
    re.lastIndex = Math.max(v.end, re.lastIndex)
  }
  return spans
}
