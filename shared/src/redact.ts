/**
 * Secret redaction and scanning for free text (env files, config files, logs). Generic: which
 * variable names are secret is configuration. The redactor and the scanner share one set of
 * detectors, so text that went through `redactText` scans clean with `scanForSecrets`.
 */
import { assignmentSpans, isSecretName, type NameRules } from './redact-assign.js'
import { pemSpans, tokenSpans, urlPasswordSpans, awsSecretSpans, type Span } from './redact-patterns.js'

export { isPlaceholder, stripUrlCredentials } from './redact-patterns.js'
export type { Span } from './redact-patterns.js'

/** Names whose values are secret whatever the file: KEY, SECRET, TOKEN, PASSWORD (and PASSWD). */
export const SECRET_NAME_PATTERN = /key|secret|token|passw(?:or)?d/i

export const PLACEHOLDER = '<redacted>'

export interface RedactOptions {
  /** a variable/key name matching this is secret (default SECRET_NAME_PATTERN) */
  namePattern?: RegExp
  /** names whose values are always secret, whatever they look like */
  secretNames?: Iterable<string>
  /** names never redacted because of their name (value patterns still apply) */
  keepNames?: Iterable<string>
  /** also redact `export NAME=…` of every name not in keepNames */
  redactExports?: boolean
  /** replacement for a secret value (default `<redacted>`; URL passwords become `***`) */
  placeholder?: string
  /** receives every removed value, for self-checks of the output; never print its contents */
  collect?: Set<string>
}

export interface RedactResult {
  text: string
  /** how many secrets were replaced */
  count: number
}

type Detector = (text: string, rules: NameRules) => Span[]

/** Order matters only for readability of the output: whole PEM blocks first. */
const DETECTORS: Detector[] = [pemSpans, (t, r) => assignmentSpans(t, r), urlPasswordSpans, tokenSpans, awsSecretSpans]

function rulesOf(opts: RedactOptions): NameRules {
  return {
    namePattern: opts.namePattern ?? SECRET_NAME_PATTERN,
    secretNames: new Set([...(opts.secretNames ?? [])].map((n) => n.toUpperCase())),
    keepNames: new Set([...(opts.keepNames ?? [])].map((n) => n.toUpperCase())),
    redactExports: opts.redactExports ?? false,
  }
}

/** Replace non-overlapping spans (sorted by start; an overlapping later span is dropped). */
function applySpans(text: string, spans: Span[], placeholder: string, collect?: Set<string>): RedactResult {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end)
  let out = ''
  let pos = 0
  let count = 0
  for (const s of sorted) {
    if (s.start < pos) continue
    collect?.add(text.slice(s.start, s.end))
    out += text.slice(pos, s.start) + (s.placeholder ?? placeholder)
    pos = s.end
    count++
  }
  return { text: out + text.slice(pos), count }
}

/** Redact every secret the detectors find. Idempotent: redacting the result again changes nothing. */
export function redactText(text: string, opts: RedactOptions = {}): RedactResult {
  const rules = rulesOf(opts)
  const placeholder = opts.placeholder ?? PLACEHOLDER
  let count = 0
  for (const detect of DETECTORS) {
    const r = applySpans(text, detect(text, rules), placeholder, opts.collect)
    text = r.text
    count += r.count
  }
  return { text, count }
}

export interface Finding {
  /** pem-private-key, token, aws-access-key-id, aws-secret, url-password, assignment, authorization, planted */
  kind: string
  /** 1-based line and column of the secret's first byte */
  line: number
  column: number
  length: number
  /** the variable or key name, when the secret is a named value */
  name?: string
}

export interface ScanOptions {
  /** exact strings that must not occur (values a test planted) */
  planted?: string[]
  namePattern?: RegExp
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

function plantedSpans(text: string, planted: string[]): Span[] {
  const spans: Span[] = []
  for (const p of planted) {
    const needle = Buffer.from(p, 'utf8').toString('latin1')
    if (!needle) continue
    for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) spans.push({ start: i, end: i + needle.length, kind: 'planted' })
  }
  return spans
}

/**
 * Find secrets in bytes or text. Findings carry positions and kinds, never the secret itself.
 * Bytes are read as latin1, so any file can be scanned and positions are byte offsets.
 */
export function scanForSecrets(input: Uint8Array | string, opts: ScanOptions = {}): Finding[] {
  const text = typeof input === 'string' ? Buffer.from(input, 'utf8').toString('latin1') : Buffer.from(input).toString('latin1')
  const rules = rulesOf({ namePattern: opts.namePattern })
  const spans = [...DETECTORS.flatMap((d) => d(text, rules)), ...plantedSpans(text, opts.planted ?? [])]
  const seen = new Set<string>()
  const findings: Finding[] = []
  for (const s of spans.sort((a, b) => a.start - b.start)) {
    const key = `${s.kind}:${s.start}`
    if (seen.has(key)) continue
    seen.add(key)
    findings.push({ kind: s.kind, ...position(text, s.start), length: s.end - s.start, ...(s.name ? { name: s.name } : {}) })
  }
  return findings
}

/**
 * Whether a variable's value is secret because of its name alone (the rule `redactText` applies
 * to `NAME=value`); `exported` marks an `export NAME=…` line.
 */
export function secretByName(name: string, opts: RedactOptions = {}, exported = false): boolean {
  return isSecretName(name, rulesOf(opts), exported)
}
