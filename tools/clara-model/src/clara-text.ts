/**
 * C-LARA's annotated texts as its internaliser reads them (clara_internalise.py, the merges of
 * clara_merge_glossed_and_tagged.py, clara_mwe.annotate_mwes_in_text, at fa5b553), as far as the
 * words and segments of a text go: pages split at `<page …>`, segments at `||`, words and their
 * annotations in the `word#annotation#` notation. A text C-LARA cannot internalise throws
 * `InternalisationError` here too.
 */

import { allSpaceOrPunct, coveredPlainly, Tok, Tokens } from './clara-tokens.js'

export { W } from './clara-tokens.js'

export type ElementType = 'Word' | 'NonWordText' | 'Markup' | 'Embedded'

export interface Element {
  type: ElementType
  content: string
  annotations: Record<string, unknown>
}

export interface Segment {
  elements: Element[]
  annotations: Record<string, unknown>
}

export interface Page {
  segments: Segment[]
}

/** The text types whose words carry `#…#` annotations, and the three segment-level ones. */
export type TextKind = 'gloss' | 'lemma' | 'pinyin' | 'phonetic' | 'translated' | 'mwe'

export class InternalisationError extends Error {
  override name = 'InternalisationError'
}

const BACKSLASH = 0x5c

/** `split_escaped`: split at an unescaped delimiter, dropping the escaping backslashes. */
export function splitEscaped(s: string, delimiter: string): string[] {
  // one code unit (`#`): slices between the delimiters; a backslash is dropped and keeps the next unit
  if (delimiter.length !== 1 || (delimiter >= '\ud800' && delimiter <= '\udfff')) return splitEscapedByCodePoint(s, delimiter)
  if (!s.includes('\\')) return s.split(delimiter)
  const d = delimiter.charCodeAt(0)
  const parts: string[] = []
  let cur = ''
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === d) {
      parts.push(cur + s.slice(from, i))
      cur = ''
      from = i + 1
    } else if (c === BACKSLASH) {
      cur += s.slice(from, i)
      from = i + 1
      i++
    }
  }
  parts.push(cur + s.slice(from))
  return parts
}

function splitEscapedByCodePoint(s: string, delimiter: string): string[] {
  const parts: string[] = []
  let cur = ''
  let escaped = false
  for (const ch of s) {
    if (ch === delimiter && !escaped) {
      parts.push(cur)
      cur = ''
    } else if (ch === '\\' && !escaped) escaped = true
    else {
      escaped = false
      cur += ch
    }
  }
  parts.push(cur)
  return parts
}

const word = (content: string, annotations: Record<string, unknown> = {}): Element => ({ type: 'Word', content, annotations })
const nonWord = (content: string): Element => ({ type: 'NonWordText', content, annotations: {} })

/** `parse_content_elements_segmented` (the body of a translated or MWE segment). */
function segmentedElements(text: string): Element[] {
  const out: Element[] = []
  const tokens = new Tokens(text, false)
  while (tokens.next()) {
    const { start, end } = tokens
    const item = text.slice(start, end)
    if (tokens.kind === Tok.SpaceOrPunct || allSpaceOrPunct(text, start, end)) out.push(nonWord(item))
    else if (item.includes('|')) for (const piece of item.split('|')) piece && out.push(word(piece.replace(/@/g, '')))
    else if (item.includes('@')) out.push(word(item.replace(/@/g, '')))
    else if (item.startsWith('<') && item.endsWith('>')) out.push({ type: 'Markup', content: item, annotations: {} })
    else out.push(word(item))
  }
  return out
}

/** `word_with_annotation_to_content_element` for a word and its annotation (the parts the audio and MWE code read). */
function annotated(content: string, annotation: string, key: TextKind): Element {
  if (key === 'lemma') {
    const slash = annotation.indexOf('/')
    // annotation.split('/') has two parts
    if (slash >= 0 && annotation.indexOf('/', slash + 1) < 0) return word(content, { lemma: annotation.slice(0, slash), pos: annotation.slice(slash + 1) })
  }
  return word(content, { [key]: annotation })
}

/** `word_with_annotation_to_content_element` for a token. */
function annotatedWord(token: string, key: TextKind): Element {
  const [content, annotation = 'NO_ANNOTATION'] = splitEscaped(token, '#')
  return annotated(content, annotation, key)
}

/**
 * `parse_content_elements_glossed_or_tagged`, with its check that the tokens cover the segment (the
 * tokens' text without `|` is the segment's without `|`: no other character is left uncovered).
 * With `full` false, only what a merge reads of a text that is not the last: the embedded elements.
 */
function annotatedElements(text: string, key: TextKind, full = true): Element[] {
  if (!full && coveredPlainly(text)) return []
  const out: Element[] = []
  const tokens = new Tokens(text, true)
  while (tokens.next()) {
    const { start, end, kind } = tokens
    if (kind === Tok.SpaceOrPunct) {
      if (full) out.push(nonWord(text.slice(start, end)))
    } else if (kind === Tok.Annotated) {
      // `x#a#` with no `\` or `|`: never embedded; split_escaped gives [x, a, '']
      if (!full) continue
      if (allSpaceOrPunct(text, start, end)) out.push(nonWord(text.slice(start, end)))
      else {
        const content = text.slice(start, tokens.hash)
        const annotation = text.slice(tokens.hash + 1, end - 1)
        if (content.includes('@') || annotation.includes('@')) out.push(annotated(content.replace(/@/g, ''), annotation.replace(/@/g, ''), key))
        else out.push(annotated(content, annotation, key))
      }
    } else {
      const t = text.slice(start, end)
      if (allSpaceOrPunct(text, start, end)) full && out.push(nonWord(t))
      else if (t.includes('|')) full && t.split('|').forEach((piece) => piece && out.push(annotatedWord(piece.replace(/@/g, ''), key)))
      else if (t.includes('@')) full && out.push(annotatedWord(t.replace(/@/g, ''), key))
      else if (t.startsWith('<img') || t.startsWith('<audio')) out.push({ type: 'Embedded', content: t, annotations: {} })
      else if (t.startsWith('<') && t.endsWith('>')) full && out.push({ type: 'Markup', content: t, annotations: {} })
      else full && out.push(annotatedWord(t, key))
    }
  }
  if (tokens.uncovered) throw new InternalisationError(`Unable to internalise '${text}'`)
  return out
}

const pySplit = (s: string) => s.split(/\s+/u).filter(Boolean)
const mweList = (all: string) => (all ? all.split(',').map((m) => pySplit(m.replace(/\\/g, ''))) : [])

/**
 * How much of a text to build: `outline` for a text merged before the last one (it fails where the
 * text does and holds its pages, segments and segment annotations, but of the elements only the
 * embedded ones, all a merge reads of it), `full`, or `plain`: full, but a plain body (below) comes
 * as its text and words instead of elements.
 */
type Mode = 'outline' | 'full' | 'plain'

/**
 * A segment whose elements are a translated or MWE body without MWEs and without `@`, `|` or `<`,
 * as the audio code reads it: `to_text()` (the body itself: every character is in a token, and
 * tokens are elements as they are) and its words' contents, in order (no word has annotations).
 */
export interface PlainSegment {
  text: string
  words: string[]
}

/** A segment as built here: in plain mode, a plain body's segment has no elements but `plain`. */
interface Seg extends Segment {
  plain?: PlainSegment
}

/** The words of a body without `@`, `|` or `<` (else null): `segmentedElements` gives its other tokens as non-word text. */
function plainBody(text: string): PlainSegment | null {
  if (text.includes('@') || text.includes('|') || text.includes('<')) return null
  const words: string[] = []
  const tokens = new Tokens(text, false)
  while (tokens.next()) {
    if (tokens.kind !== Tok.SpaceOrPunct && !allSpaceOrPunct(text, tokens.start, tokens.end)) words.push(text.slice(tokens.start, tokens.end))
  }
  return { text, words }
}

/** The segment of a translated or MWE body (`bodyElements`, for the mode). */
function bodySegment(body: string, annotations: Record<string, unknown>, mode: Mode): Seg {
  if (mode === 'outline') return { elements: [], annotations }
  const text = body.includes('\\') ? body.replace(/\\/g, '') : body
  if (mode === 'plain' && !(annotations.mwes as unknown[] | undefined)?.length) {
    const plain = plainBody(text)
    if (plain) return { elements: [], annotations, plain }
  }
  return { elements: segmentedElements(text), annotations }
}

/** `parse_segment_mwe`: the full form (`_analysis:`/`_MWEs:` lines), the minimal one (`text#mwes#`), or bare text. */
function mweSegment(text: string, mode: Mode): Seg {
  const lines = text.split('\n')
  const main: string[] = []
  let analysis = false
  let mwesFound = false
  let mwes: string[][] = []
  const analysisLines: string[] = []
  for (const line of lines) {
    if (line.startsWith('_analysis:')) {
      analysis = true
      analysisLines.push(line.slice('_analysis:'.length).trim())
    } else if (line.startsWith('_MWEs:')) {
      mwesFound = true
      mwes = mweList(line.slice('_MWEs:'.length).trim())
    } else if (!analysis) main.push(line)
    else analysisLines.push(line.trim())
  }
  if (analysis && mwesFound) return bodySegment(main.join('\n'), { analysis: analysisLines.join('\n'), mwes }, mode)
  const parts = splitEscaped(text, '#')
  if (parts.length === 3 && parts[2].trim() === '') {
    const all = parts[1].trim()
    return bodySegment(parts[0], { analysis: '(removed)', mwes: all === '' || all === '-' ? [] : mweList(all) }, mode)
  }
  // parse_segment_mwe_trivial: only a segment without any of that notation
  if (!text.includes('_analysis:') && !text.includes('_MWEs:') && splitEscaped(text.trim(), '#').length === 1) {
    return bodySegment(text, { analysis: '', mwes: [] }, mode)
  }
  throw new InternalisationError(`Unable to internalise '${text}' as an MWE segment.`)
}

/** `parse_segment_translated`: `text#translation#` or bare text. */
function translatedSegment(text: string, mode: Mode): Seg {
  const parts = splitEscaped(text, '#')
  let main: string
  let translated = ''
  if (parts.length === 3 && parts[2].trim() === '') [main, translated] = parts
  else if (parts.length === 1) main = text
  else throw new InternalisationError(`Unable to internalise '${text}' as a translated segment.`)
  return bodySegment(main, translated === '' || translated === '-' ? {} : { translated }, mode)
}

/** `internalize_text` for one text type. */
export function internalise(input: string, kind: TextKind): Page[] {
  return internaliseAs(input, kind, 'full')
}

/** `internalize_text`, built as far as `mode` says. */
function internaliseAs(input: string, kind: TextKind, mode: Mode): Page[] {
  const text = input.startsWith('<page') ? input : `<page>${input}`
  const split = text.split(/<page\s*(.*?)>/)
  if (split.length && !split[0]) split.shift()
  const pages: Page[] = []
  for (let i = 0; i < split.length; i += 2) {
    const body = split[i + 1] ?? ''
    const segments = body.split('||').map((s): Seg => {
      if (kind === 'mwe') return mweSegment(s, mode)
      if (kind === 'translated') return translatedSegment(s, mode)
      return { elements: annotatedElements(s, kind, mode !== 'outline'), annotations: {} }
    })
    pages.push({ segments })
  }
  return pages
}

/**
 * `merge_annotations1_and_annotations2`, for what the audio and MWE code read: whatever difflib
 * aligns, the merged segment's elements are the second text's (their type and content; the first
 * text's word annotations, which difflib pairs up, are not kept here), and the segment annotations
 * of both; pages and segments pair up as `zip` does, so the shorter text decides how many there are.
 * A paired segment holding an embedded element fails, as it does in C-LARA.
 */
export function mergeTexts(first: Page[], second: Page[]): Page[] {
  return merge(first, second, true)
}

/** `mergeTexts`; with `copy` false the merged segments hold the second text's own elements (and `plain`: a text made for the merge). */
function merge(first: Page[], second: Page[], copy: boolean): Page[] {
  const pages: Page[] = []
  for (let p = 0; p < Math.min(first.length, second.length); p++) {
    const a = first[p].segments
    const b = second[p].segments
    const segments: Seg[] = []
    for (let s = 0; s < Math.min(a.length, b.length); s++) {
      // an embedded <img>/<audio> holds its attributes as a dict, which difflib cannot hash: TypeError
      if (a[s].elements.some(isEmbedded) || b[s].elements.some(isEmbedded)) {
        throw new InternalisationError('an embedded element in a merged segment (unhashable for difflib)')
      }
      const annotations = { ...a[s].annotations, ...b[s].annotations }
      if (copy) segments.push({ elements: b[s].elements.map((e): Element => ({ ...e, annotations: { ...e.annotations } })), annotations })
      else {
        const { plain } = b[s] as Seg
        segments.push(plain ? { elements: b[s].elements, annotations, plain } : { elements: b[s].elements, annotations })
      }
    }
    pages.push({ segments })
  }
  return pages
}

const isEmbedded = (e: Element) => e.type === 'Embedded'

/** `find_mwe_positions_for_content_string_list`: increasing positions with the least spread, first found; null when none. */
export function mwePositions(contents: string[], mwe: string[]): number[] | null {
  const all = mwe.map((w) => contents.flatMap((c, i) => (c === w ? [i] : [])))
  if (all.some((p) => !p.length)) return null
  let best: number[] | null = null
  let min = Infinity
  const walk = (k: number, chosen: number[]) => {
    if (k === all.length) {
      const d = chosen.length ? chosen[chosen.length - 1] - chosen[0] : 0
      if (d < min) [min, best] = [d, [...chosen]]
      return
    }
    for (const p of all[k]) if (!chosen.length || p > chosen[chosen.length - 1]) walk(k + 1, [...chosen, p])
  }
  walk(0, [])
  return best
}

/** `annotate_mwes_in_text`: each word of a segment's MWE gets `mwe_text`. */
export function annotateMwes(pages: Page[]): void {
  for (const page of pages) {
    for (const seg of page.segments) {
      for (const mwe of (seg.annotations.mwes as string[][] | undefined) ?? []) {
        const positions = mwePositions(seg.elements.map((e) => e.content), mwe)
        if (!positions) continue
        let text = ''
        positions.forEach((pos, i) => {
          if (i > 0 && positions[i - 1] !== pos - 1) text += ' '
          text += seg.elements[pos].content
        })
        for (const pos of positions) seg.elements[pos].annotations = { ...seg.elements[pos].annotations, mwe_text: text }
      }
    }
  }
}

/** `Segment.to_text()`: the surface of its words, non-word text and markup. */
export function segmentText(seg: Segment): string {
  return seg.elements.filter((e) => e.type !== 'Embedded').map((e) => e.content).join('')
}

/** The text versions `get_internalised_text` reads, by version name (missing ones absent). */
export type TextVersions = Partial<Record<'gloss' | 'lemma' | 'pinyin' | 'translated' | 'mwe' | 'phonetic', string>>

const MERGED = ['gloss', 'lemma', 'pinyin', 'translated', 'mwe'] as const

/**
 * `CLARAProjectInternal.get_internalised_text`: for the normal text, gloss merged with lemma, then
 * pinyin, translated and mwe when present (null without gloss or lemma); for the phonetic text,
 * the phonetic version (null without it).
 */
export function internalisedText(v: TextVersions, phonetic: boolean): Page[] | null {
  return merged(v, phonetic, 'full')
}

/**
 * The segments of `internalisedText`, in order, as the audio code reads them: a plain body's as a
 * PlainSegment (no element objects for most of a translated or MWE text), any other as it is.
 */
export function spokenSegments(v: TextVersions, phonetic: boolean): (Segment | PlainSegment)[] | null {
  const pages = merged(v, phonetic, 'plain')
  return pages && pages.flatMap((p) => p.segments.map((s: Seg) => s.plain ?? s))
}

/**
 * `get_internalised_text`, each text internalised in turn (any of them can fail); only the last
 * one's elements are kept by the merges, so only the last one's are built (as `last` says).
 */
function merged(v: TextVersions, phonetic: boolean, last: Mode): Page[] | null {
  if (phonetic) return v.phonetic === undefined ? null : internaliseAs(v.phonetic, 'phonetic', last)
  if (v.gloss === undefined || v.lemma === undefined) return null
  const kinds = MERGED.filter((k) => v[k] !== undefined)
  let pages = internaliseAs(v.gloss, 'gloss', 'outline')
  for (const k of kinds.slice(1)) pages = merge(pages, internaliseAs(v[k]!, k, k === kinds[kinds.length - 1] ? last : 'outline'), false)
  if (v.mwe !== undefined) annotateMwes(pages)
  return pages
}
