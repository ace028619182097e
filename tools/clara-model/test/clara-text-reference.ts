/**
 * Test helper (not a test): clara-text's first port of C-LARA's internaliser as it was before issue 16
 * made it faster (regex tokenisers, a char-by-char split_escaped, every text internalised in full and
 * merged by copying), kept verbatim as the reference src/clara-text.ts must equal (test/clara-text-same.ts).
 */
import { InternalisationError, type Element, type Page, type Segment, type TextKind } from '../src/clara-text.js'

/** Python's `\w` (the `regex` module's Unicode definition), for tag names. */
export const W = String.raw`[\p{Alpha}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`
/** `[\s\p{P}--[<excluded>]]` of the `regex` module, one character. */
const spaceOrPunct = (excluded: string) => String.raw`(?:(?![${excluded}])[\s\p{P}])`

export const SEGMENTED_TOKEN = new RegExp(
  [
    '@[^@]+@',
    `<\\/?${W}+>`,
    String.raw`(?:[^\s\p{P}<]|[#'@])+`,
    String.raw`\|(?:[^\s\p{P}|#'@])+`,
    `${spaceOrPunct("@#'")}+`,
  ].join('|'),
  'gu',
)

const ESC_HASH = String.raw`(?<=\\)#`
export const ANNOTATED_TOKEN = new RegExp(
  [
    '<img[^>]*>',
    '<audio[^>]*>',
    `<\\/?${W}+>`,
    String.raw`@[^@]+@#(?:[^#|]|${ESC_HASH})*(?:\|[^#|]|${ESC_HASH})*#`,
    String.raw`(?:[^\s|#]|${ESC_HASH})*(?:\|[^\s|#]|${ESC_HASH})*#(?:[^#|]|${ESC_HASH})*(?:\|[^#|]|${ESC_HASH})*#`,
    `${spaceOrPunct('@#\\\\')}+`,
  ].join('|'),
  'gu',
)

const ALL_SPACE_OR_PUNCT = /^[\s\p{P}]*$/u

/** `split_escaped`: split at an unescaped delimiter, dropping the escaping backslashes. */
export function splitEscaped(s: string, delimiter: string): string[] {
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

/** `parse_content_elements_segmented` (the body of a translated or MWE segment). */
function segmentedElements(text: string): Element[] {
  const out: Element[] = []
  for (const [item] of text.matchAll(SEGMENTED_TOKEN)) {
    if (ALL_SPACE_OR_PUNCT.test(item)) out.push({ type: 'NonWordText', content: item, annotations: {} })
    else if (item.includes('|')) for (const piece of item.split('|')) piece && out.push(word(piece.replace(/@/g, '')))
    else if (item.includes('@')) out.push(word(item.replace(/@/g, '')))
    else if (item.startsWith('<') && item.endsWith('>')) out.push({ type: 'Markup', content: item, annotations: {} })
    else out.push(word(item))
  }
  return out
}

/** `word_with_annotation_to_content_element` (the parts the audio and MWE code read). */
function annotatedWord(token: string, key: TextKind): Element {
  const [content, annotation = 'NO_ANNOTATION'] = splitEscaped(token, '#')
  const parts = annotation.split('/')
  if (parts.length === 2 && key === 'lemma') return word(content, { lemma: parts[0], pos: parts[1] })
  return word(content, { [key]: annotation })
}

/** `parse_content_elements_glossed_or_tagged`, with its check that the tokens cover the segment. */
function annotatedElements(text: string, key: TextKind): Element[] {
  const tokens: string[] = []
  let end = 0
  let gap = false
  for (const m of text.matchAll(ANNOTATED_TOKEN)) {
    if (m.index! > end) gap = true
    tokens.push(m[0])
    end = m.index! + m[0].length
  }
  if (tokens.join('').replace(/\|/g, '') !== text.replace(/\|/g, '') && (gap || end !== text.length)) {
    throw new InternalisationError(`Unable to internalise '${text}'`)
  }
  const out: Element[] = []
  for (const t of tokens) {
    if (ALL_SPACE_OR_PUNCT.test(t)) out.push({ type: 'NonWordText', content: t, annotations: {} })
    else if (t.includes('|')) for (const piece of t.split('|')) piece && out.push(annotatedWord(piece.replace(/@/g, ''), key))
    else if (t.includes('@')) out.push(annotatedWord(t.replace(/@/g, ''), key))
    else if (t.startsWith('<img') || t.startsWith('<audio')) out.push({ type: 'Embedded', content: t, annotations: {} })
    else if (t.startsWith('<') && t.endsWith('>')) out.push({ type: 'Markup', content: t, annotations: {} })
    else out.push(annotatedWord(t, key))
  }
  return out
}

const pySplit = (s: string) => s.split(/\s+/u).filter(Boolean)
const mweList = (all: string) => (all ? all.split(',').map((m) => pySplit(m.replace(/\\/g, ''))) : [])
const bodyElements = (text: string) => segmentedElements(text.replace(/\\/g, ''))

/** `parse_segment_mwe`: the full form (`_analysis:`/`_MWEs:` lines), the minimal one (`text#mwes#`), or bare text. */
function mweSegment(text: string): Segment {
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
  if (analysis && mwesFound) return { elements: bodyElements(main.join('\n')), annotations: { analysis: analysisLines.join('\n'), mwes } }
  const parts = splitEscaped(text, '#')
  if (parts.length === 3 && parts[2].trim() === '') {
    const all = parts[1].trim()
    return { elements: bodyElements(parts[0]), annotations: { analysis: '(removed)', mwes: all === '' || all === '-' ? [] : mweList(all) } }
  }
  // parse_segment_mwe_trivial: only a segment without any of that notation
  if (!text.includes('_analysis:') && !text.includes('_MWEs:') && splitEscaped(text.trim(), '#').length === 1) {
    return { elements: bodyElements(text), annotations: { analysis: '', mwes: [] } }
  }
  throw new InternalisationError(`Unable to internalise '${text}' as an MWE segment.`)
}

/** `parse_segment_translated`: `text#translation#` or bare text. */
function translatedSegment(text: string): Segment {
  const parts = splitEscaped(text, '#')
  let main: string
  let translated = ''
  if (parts.length === 3 && parts[2].trim() === '') [main, translated] = parts
  else if (parts.length === 1) main = text
  else throw new InternalisationError(`Unable to internalise '${text}' as a translated segment.`)
  return { elements: bodyElements(main), annotations: translated === '' || translated === '-' ? {} : { translated } }
}

/** `internalize_text` for one text type. */
export function internalise(input: string, kind: TextKind): Page[] {
  const text = input.startsWith('<page') ? input : `<page>${input}`
  const split = text.split(/<page\s*(.*?)>/)
  if (split.length && !split[0]) split.shift()
  const pages: Page[] = []
  for (let i = 0; i < split.length; i += 2) {
    const body = split[i + 1] ?? ''
    const segments = body.split('||').map((s): Segment => {
      if (kind === 'mwe') return mweSegment(s)
      if (kind === 'translated') return translatedSegment(s)
      return { elements: annotatedElements(s, kind), annotations: {} }
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
  const pages: Page[] = []
  for (let p = 0; p < Math.min(first.length, second.length); p++) {
    const a = first[p].segments
    const b = second[p].segments
    const segments: Segment[] = []
    for (let s = 0; s < Math.min(a.length, b.length); s++) {
      // an embedded <img>/<audio> holds its attributes as a dict, which difflib cannot hash: TypeError
      if ([...a[s].elements, ...b[s].elements].some((e) => e.type === 'Embedded')) {
        throw new InternalisationError('an embedded element in a merged segment (unhashable for difflib)')
      }
      const elements = b[s].elements.map((e): Element => ({ ...e, annotations: { ...e.annotations } }))
      segments.push({ elements, annotations: { ...a[s].annotations, ...b[s].annotations } })
    }
    pages.push({ segments })
  }
  return pages
}

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
type TextVersions = Partial<Record<'gloss' | 'lemma' | 'pinyin' | 'translated' | 'mwe' | 'phonetic', string>>

/**
 * `CLARAProjectInternal.get_internalised_text`: for the normal text, gloss merged with lemma, then
 * pinyin, translated and mwe when present (null without gloss or lemma); for the phonetic text,
 * the phonetic version (null without it).
 */
export function internalisedText(v: TextVersions, phonetic: boolean): Page[] | null {
  if (phonetic) return v.phonetic === undefined ? null : internalise(v.phonetic, 'phonetic')
  if (v.gloss === undefined || v.lemma === undefined) return null
  let merged = mergeTexts(internalise(v.gloss, 'gloss'), internalise(v.lemma, 'lemma'))
  if (v.pinyin !== undefined) merged = mergeTexts(merged, internalise(v.pinyin, 'pinyin'))
  if (v.translated !== undefined) merged = mergeTexts(merged, internalise(v.translated, 'translated'))
  if (v.mwe !== undefined) {
    merged = mergeTexts(merged, internalise(v.mwe, 'mwe'))
    annotateMwes(merged)
  }
  return merged
}
