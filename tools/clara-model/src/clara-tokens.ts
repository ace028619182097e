/**
 * The two tokenisers of C-LARA's internaliser (clara_internalise.py at fa5b553): the token regexes
 * of `parse_content_elements_glossed_or_tagged` (annotated texts: `word#annotation#`) and of
 * `parse_content_elements_segmented` (the body of a translated or MWE segment), as JavaScript
 * regexes, and scanners that find the same tokens without running them on the common shapes.
 *
 * A scanner at position i either proves which token the regex finds there (an ordinary word with its
 * annotation, a run of spaces and punctuation: the comments say why the regex gives the same) or
 * asks the regex itself, anchored at i (sticky): a global regex search is exactly "try each position
 * in turn, the first that matches wins", so both ways give the same tokens. Anything unusual (`\`,
 * `|`, `@`, `<`, characters outside the BMP in a run) goes to the regex.
 */

/** Python's `\w` (the `regex` module's Unicode definition), for tag names. */
export const W = String.raw`[\p{Alpha}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`
/** `[\s\p{P}--[<excluded>]]` of the `regex` module, one character. */
const spaceOrPunct = (excluded: string) => String.raw`(?:(?![${excluded}])[\s\p{P}])`

/** The token regex of `parse_content_elements_segmented`. */
export const SEGMENTED_TOKEN_SOURCE = [
  '@[^@]+@',
  `<\\/?${W}+>`,
  String.raw`(?:[^\s\p{P}<]|[#'@])+`,
  String.raw`\|(?:[^\s\p{P}|#'@])+`,
  `${spaceOrPunct("@#'")}+`,
].join('|')

const ESC_HASH = String.raw`(?<=\\)#`
/** The token regex of `parse_content_elements_glossed_or_tagged` (a `#` after a `\` is escaped). */
export const ANNOTATED_TOKEN_SOURCE = [
  '<img[^>]*>',
  '<audio[^>]*>',
  `<\\/?${W}+>`,
  String.raw`@[^@]+@#(?:[^#|]|${ESC_HASH})*(?:\|[^#|]|${ESC_HASH})*#`,
  String.raw`(?:[^\s|#]|${ESC_HASH})*(?:\|[^\s|#]|${ESC_HASH})*#(?:[^#|]|${ESC_HASH})*(?:\|[^#|]|${ESC_HASH})*#`,
  `${spaceOrPunct('@#\\\\')}+`,
].join('|')

const SEGMENTED_AT = new RegExp(SEGMENTED_TOKEN_SOURCE, 'uy')
const ANNOTATED_AT = new RegExp(ANNOTATED_TOKEN_SOURCE, 'uy')
const ALL_SPACE_OR_PUNCT = /^[\s\p{P}]*$/u

const HASH = 0x23
const APOS = 0x27
const LT = 0x3c
const AT = 0x40
const BACKSLASH = 0x5c
const BAR = 0x7c
const isSurrogate = (c: number) => c >= 0xd800 && c <= 0xdfff

/** Per BMP code unit: 0 not yet known, else 1 + SPACE/PUNCT bits (as `\s` and `\p{P}` of a `u` regex say). */
const classes = new Uint8Array(0x10000)
const SPACE = 2
const PUNCT = 4
function charClass(c: number): number {
  let k = classes[c]
  if (k === 0) {
    const ch = String.fromCharCode(c)
    k = 1 | (/\s/u.test(ch) ? SPACE : 0) | (/\p{P}/u.test(ch) ? PUNCT : 0)
    classes[c] = k
  }
  return k
}
/** `\s` for a BMP code unit that is not a surrogate (no astral character is `\s`). */
const isSpace = (c: number) => (charClass(c) & SPACE) !== 0
/** `[\s\p{P}]` for a BMP code unit that is not a surrogate. */
const isSpaceOrPunct = (c: number) => (charClass(c) & (SPACE | PUNCT)) !== 0

/** `^[\s\p{P}]*$` on s[start, end). */
export function allSpaceOrPunct(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (isSurrogate(c)) return ALL_SPACE_OR_PUNCT.test(s.slice(start, end))
    if (!isSpaceOrPunct(c)) return false
  }
  return true
}

/** Where the next code point after the one at i starts. */
function nextCodePoint(s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1)
    if (d >= 0xdc00 && d <= 0xdfff) return i + 2
  }
  return i + 1
}

/**
 * True when the annotated tokens of s cover it and none of them is embedded, for an s without `\`,
 * `|`, `@` or `<` (false: not such an s, or not sure). Such an s is gaps and annotations between
 * its `#`s: g0 # a0 # g1 # a1 # … gk. Scanning a gap from its start, the fifth branch takes
 * the rest of the gap with its annotation as soon as no whitespace is left before the `#` (the
 * X-run above); until then only the last branch can take a token, a run of spaces and punctuation,
 * and a character that is neither is left uncovered. So a gap is covered when all of it up to its
 * last whitespace is spaces and punctuation, and the last gap (no `#` after it) when all of it is.
 * No token starts with `<`, so none is embedded.
 */
export function coveredPlainly(s: string): boolean {
  if (s.includes('\\') || s.includes('|') || s.includes('@') || s.includes('<')) return false
  const n = s.length
  let p = 0
  for (;;) {
    const open = s.indexOf('#', p)
    if (open < 0) return allSpaceOrPunctBmp(s, p, n)
    const close = s.indexOf('#', open + 1)
    if (close < 0) return false
    let w = open
    while (w > p && !isSpaceUnit(s.charCodeAt(w - 1))) w--
    if (!allSpaceOrPunctBmp(s, p, w)) return false
    p = close + 1
  }
}

/** `\s` for any code unit (a surrogate is never `\s`). */
const isSpaceUnit = (c: number) => !isSurrogate(c) && isSpace(c)

/** s[start, end) is all `[\s\p{P}]` and in the BMP (false when unsure). */
function allSpaceOrPunctBmp(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (isSurrogate(c) || !isSpaceOrPunct(c)) return false
  }
  return true
}

/** What a token is, as far as the scanner knows it. */
export const Tok = {
  /** found by the regex: classify it from its text */
  Other: 0,
  /** `x#a#` without `\`, `|` (the annotated regex's fifth branch): `hash` is the middle `#` */
  Annotated: 1,
  /** a run of spaces and punctuation (the last branch of either regex) */
  SpaceOrPunct: 2,
  /** a run of the segmented regex's third branch (`[^\s\p{P}<]|[#'@]`) */
  Run: 3,
} as const
export type TokKind = (typeof Tok)[keyof typeof Tok]

/**
 * The tokens of one text, one `next()` at a time (no objects per token): `start`, `end`, `kind`,
 * and `hash` for an annotated word. `uncovered` turns true once a character no token covers is not a
 * `|` (what `parse_content_elements_glossed_or_tagged` rejects).
 */
export class Tokens {
  start = 0
  end = 0
  kind: TokKind = Tok.Other
  hash = -1
  uncovered = false
  private pos = 0
  private readonly at: RegExp

  constructor(
    private readonly s: string,
    private readonly annotated: boolean,
  ) {
    this.at = annotated ? ANNOTATED_AT : SEGMENTED_AT
  }

  next(): boolean {
    const s = this.s
    while (this.pos < s.length) {
      const i = this.pos
      if (!(this.annotated ? this.annotatedAt(s, i) : this.segmentedAt(s, i))) {
        this.at.lastIndex = i
        const m = this.at.exec(s)
        if (!m) {
          if (s.charCodeAt(i) !== BAR) this.uncovered = true
          this.pos = nextCodePoint(s, i)
          continue
        }
        this.start = i
        this.end = i + m[0].length
        this.kind = Tok.Other
      }
      this.pos = this.end
      return true
    }
    return false
  }

  /**
   * The annotated regex at i, for a position not at `<`, `@`, `|`, `\` nor just after a `\` (so no `#`
   * of what follows is escaped, and none of the first four branches can start). Branch 5,
   * `X* Y* # A* B* #` with X = `[^\s|#]`, Y = `\|[^\s|#]`, A = `[^#|]`, B = `\|[^#|]` (their escaped-`#`
   * alternatives need a `\`): X* takes the run up to the first whitespace, `|` or `#`. At a `#`, Y*
   * takes nothing, the `#` matches, A* takes the run up to the next `#` or `|`, B* nothing, and a `#`
   * there ends the token: all quantifiers at their greedy maximum, the first path the regex tries.
   * At whitespace or the end, branch 5 fails on every shorter X* too (none of those characters is
   * `#` or `|`), and the last branch takes the run of spaces and punctuation (not `@#\`) from i.
   * Everything else (a `|` or `\` in the runs, no closing `#`, no token at i) is the regex's to say.
   */
  private annotatedAt(s: string, i: number): boolean {
    const n = s.length
    const c = s.charCodeAt(i)
    if (c === LT || c === AT || c === BAR || c === BACKSLASH) return false
    if (i > 0 && s.charCodeAt(i - 1) === BACKSLASH) return false
    let j = i
    for (; j < n; j++) {
      const d = s.charCodeAt(j)
      if (d === HASH || d === BAR || d === BACKSLASH) break
      if (d < 0xd800 || d > 0xdfff) {
        if (isSpace(d)) break
      }
    }
    if (j < n) {
      const d = s.charCodeAt(j)
      if (d === HASH) {
        let m = j + 1
        for (; m < n; m++) {
          const e = s.charCodeAt(m)
          if (e === HASH || e === BAR || e === BACKSLASH) break
        }
        if (m === n || s.charCodeAt(m) !== HASH) return false
        this.start = i
        this.end = m + 1
        this.kind = Tok.Annotated
        this.hash = j
        return true
      }
      if (d === BAR || d === BACKSLASH) return false
    }
    if (isSurrogate(c) || !isSpaceOrPunct(c)) return false
    let r = i
    for (; r < n; r++) {
      const d = s.charCodeAt(r)
      if (d === AT || d === HASH || d === BACKSLASH) break
      if (isSurrogate(d)) return false
      if (!isSpaceOrPunct(d)) break
    }
    this.start = i
    this.end = r
    this.kind = Tok.SpaceOrPunct
    return true
  }

  /**
   * The segmented regex at i, for a position not at `@` or `<` (where its first two branches start).
   * A character of branch 3 (`[^\s\p{P}<]|[#'@]`) starts its greedy run, the token; any other is
   * whitespace or punctuation other than `@#'` (branch 4 needs a `|`, which is in branch 3), and the
   * last branch takes that run. A character outside the BMP in either run goes to the regex.
   */
  private segmentedAt(s: string, i: number): boolean {
    const c = s.charCodeAt(i)
    if (c === AT || c === LT || isSurrogate(c)) return false
    const n = s.length
    const run = c === HASH || c === APOS || !isSpaceOrPunct(c)
    let r = i + 1
    for (; r < n; r++) {
      const d = s.charCodeAt(r)
      if (isSurrogate(d)) return false
      const inRun = d === HASH || d === APOS || d === AT || (d !== LT && !isSpaceOrPunct(d))
      if (run ? !inRun : inRun || d === LT) break
    }
    this.start = i
    this.end = r
    this.kind = run ? Tok.Run : Tok.SpaceOrPunct
    return true
  }
}
