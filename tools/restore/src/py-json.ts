/**
 * JSON as C-LARA's Python writes it (`json.dump(obj, f, indent=4)`; `ensure_ascii` on): parse
 * keeping key order and number spellings (`1.0` stays `1.0`), and serialise the same way, so a
 * file whose path fields are rewritten differs from the original only in those values.
 */

export class JNum {
  constructor(readonly raw: string) {}
}
export class JObj {
  constructor(readonly entries: [string, JVal][]) {}
  get(k: string): JVal | undefined {
    return this.entries.find(([key]) => key === k)?.[1]
  }
  set(k: string, v: JVal): void {
    const e = this.entries.find(([key]) => key === k)
    if (e) e[1] = v
  }
}
export type JVal = null | boolean | string | JNum | JVal[] | JObj

/** How the original was written: indent (null = one line), `\uXXXX` escapes, a final newline. */
export interface JsonStyle {
  indent: string | null
  ensureAscii: boolean
  newline: boolean
}

export function styleOfJson(text: string): JsonStyle {
  const m = /\n([ \t]+)\S/.exec(text)
  return { indent: m ? m[1] : null, ensureAscii: !/[^\x00-\x7f]/.test(text), newline: text.endsWith('\n') }
}

class Parser {
  i = 0
  constructor(readonly s: string) {}
  fail(what: string): never {
    throw new SyntaxError(`JSON: ${what} at offset ${this.i}`)
  }
  ws(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++
  }
  value(): JVal {
    this.ws()
    const c = this.s[this.i]
    if (c === '{') return this.object()
    if (c === '[') return this.array()
    if (c === '"') return this.string()
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length
        return v
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400))
    if (!m) this.fail('unexpected token')
    this.i += m[0].length
    return new JNum(m[0])
  }
  string(): string {
    const start = this.i++
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1
    if (this.i >= this.s.length) this.fail('unterminated string')
    return JSON.parse(this.s.slice(start, ++this.i)) as string
  }
  list<T>(close: string, item: () => T): T[] {
    const out: T[] = []
    this.i++
    this.ws()
    if (this.s[this.i] === close) {
      this.i++
      return out
    }
    for (;;) {
      out.push(item())
      this.ws()
      const c = this.s[this.i++]
      if (c === close) return out
      if (c !== ',') this.fail(`expected , or ${close}`)
    }
  }
  array(): JVal[] {
    return this.list(']', () => this.value())
  }
  object(): JObj {
    return new JObj(this.list('}', () => {
      this.ws()
      if (this.s[this.i] !== '"') this.fail('expected a key')
      const k = this.string()
      this.ws()
      if (this.s[this.i++] !== ':') this.fail('expected :')
      return [k, this.value()] as [string, JVal]
    }))
  }
}

export function parseJson(text: string): JVal {
  const p = new Parser(text.replace(/^\uFEFF/, ''))
  const v = p.value()
  p.ws()
  if (p.i !== p.s.length) p.fail('trailing data')
  return v
}

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }
const hex4 = (c: number) => '\\u' + c.toString(16).padStart(4, '0')

/** A string as Python's json encoder writes it. */
export function pyString(s: string, ensureAscii: boolean): string {
  const re = ensureAscii ? /[\\"]|[^ -~]/g : /[\\"\x00-\x1f]/g
  return '"' + s.replace(re, (c) => SHORT[c] ?? hex4(c.charCodeAt(0))) + '"'
}

/** Serialise like `json.dumps(v, indent=…, ensure_ascii=…)`. */
export function dumpJson(v: JVal, st: JsonStyle): string {
  return dump(v, st, 0) + (st.newline ? '\n' : '')
}

function dump(v: JVal, st: JsonStyle, level: number): string {
  if (v === null) return 'null'
  if (v === true) return 'true'
  if (v === false) return 'false'
  if (typeof v === 'string') return pyString(v, st.ensureAscii)
  if (v instanceof JNum) return v.raw
  const items = Array.isArray(v) ? v.map((x) => dump(x, st, level + 1)) : v.entries.map(([k, x]) => `${pyString(k, st.ensureAscii)}: ${dump(x, st, level + 1)}`)
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}']
  if (!items.length) return open + close
  if (st.indent === null) return open + items.join(', ') + close
  const pad = '\n' + st.indent.repeat(level + 1)
  return open + pad + items.join(',' + pad) + '\n' + st.indent.repeat(level) + close
}
