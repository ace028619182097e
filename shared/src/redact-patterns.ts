/** Value-shaped secrets (whatever name they carry): PEM private keys, API tokens, AWS keys, URL passwords. */

/** A secret's place in a text; `start..end` is what gets replaced. */
export interface Span {
  start: number
  end: number
  kind: string
  name?: string
  /** replacement (default: the redactor's placeholder) */
  placeholder?: string
}

const PLACEHOLDER_WORDS = /^(none|null|nil|undefined|true|false|yes|no|on|off)$/i

/**
 * A value that is not a live secret: empty, `<anything>`, `***`, `xxx`, a `$VAR`/`$(…)`/`${…}`
 * reference, a boolean/null word, or a short number.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim()
  if (v === '') return true
  if (/^<[^<>]*>$/.test(v)) return true
  if (/^\*+$/.test(v) || /^[xX]{3,}$/.test(v)) return true
  if (v.startsWith('$')) return true
  if (PLACEHOLDER_WORDS.test(v)) return true
  return /^\d{1,7}$/.test(v)
}

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----/g
/** What a PEM body may contain, raw or with `\n` escaped inside a JSON string. */
const PEM_BODY = /^[A-Za-z0-9+/=\s\\:,-]*/
const PEM_WINDOW = 64 * 1024

/** Whole PEM private-key blocks, raw or JSON-escaped; an unterminated one up to the end of its body. */
export function pemSpans(text: string): Span[] {
  const spans: Span[] = []
  PEM_BEGIN.lastIndex = 0
  for (let m = PEM_BEGIN.exec(text); m; m = PEM_BEGIN.exec(text)) {
    const endMarker = `-----END ${m[1]}PRIVATE KEY${m[2] ?? ''}-----`
    const bodyStart = m.index + m[0].length
    const endAt = text.indexOf(endMarker, bodyStart)
    let end: number
    if (endAt !== -1 && endAt - bodyStart <= PEM_WINDOW) end = endAt + endMarker.length
    else end = bodyStart + (PEM_BODY.exec(text.slice(bodyStart, bodyStart + PEM_WINDOW))?.[0].length ?? 0)
    spans.push({ start: m.index, end, kind: 'pem-private-key' })
    PEM_BEGIN.lastIndex = end
  }
  return spans
}

/** Well-known token shapes: OpenAI/Anthropic `sk-…`, Stripe, Google API keys, GitHub, GitLab, Slack, AWS key ids. */
const TOKENS: { kind: string; re: RegExp }[] = [
  { kind: 'token', re: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g },
  { kind: 'token', re: /(?<![A-Za-z0-9_])[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'token', re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}/g },
  { kind: 'token', re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g },
  { kind: 'token', re: /(?<![A-Za-z0-9_-])(?:glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})/g },
  { kind: 'aws-access-key-id', re: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g },
]
const AUTHORIZATION = /authorization["']?\s*[:=]?\s*["']?(?:bearer|basic|token)\s+([A-Za-z0-9._~+/=-]{8,})/gi

export function tokenSpans(text: string): Span[] {
  const spans: Span[] = []
  for (const { kind, re } of TOKENS) {
    for (const m of text.matchAll(re)) spans.push({ start: m.index!, end: m.index! + m[0].length, kind })
  }
  for (const m of text.matchAll(AUTHORIZATION)) {
    const start = m.index! + m[0].length - m[1].length
    spans.push({ start, end: start + m[1].length, kind: 'authorization' })
  }
  return spans
}

/** A 40-character AWS secret access key after an `aws…secret…` label, in any syntax. */
const AWS_SECRET = /aws[\s_-]?secret[\w\s-]{0,24}?[\s'":=]{1,6}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi

export function awsSecretSpans(text: string): Span[] {
  return [...text.matchAll(AWS_SECRET)].map((m) => {
    const start = m.index! + m[0].length - m[1].length
    return { start, end: start + m[1].length, kind: 'aws-secret' }
  })
}

/** `scheme://user:password@host`: the password (placeholder `***`, as `redactUrl` writes it). */
const URL_USERINFO = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/:@'"<>]+:([^\s/]*)@/g

export function urlPasswordSpans(text: string): Span[] {
  const spans: Span[] = []
  for (const m of text.matchAll(URL_USERINFO)) {
    if (isPlaceholder(m[1])) continue
    const start = m.index! + m[0].length - 1 - m[1].length
    spans.push({ start, end: start + m[1].length, kind: 'url-password', placeholder: '***' })
  }
  return spans
}

/**
 * Remove credentials from a URL: all userinfo for http(s) and the like (`https://user:token@host/x`
 * → `https://host/x`); only the password for ssh (the user name is part of the address).
 */
export function stripUrlCredentials(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)@/.exec(url)
  if (!m) return url
  const scheme = m[1].toLowerCase()
  const rest = url.slice(m[0].length)
  if (scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git') {
    const user = m[2].split(':')[0]
    return `${m[1]}://${user}@${rest}`
  }
  return `${m[1]}://${rest}`
}
