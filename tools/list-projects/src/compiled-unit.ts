/**
 * `compiled_exports/<id>/compiled_<type>.zip` (or one `compiled.zip` with a folder per type): the
 * rendered dirs (clara-facts §3), made self-contained. In EVERY html file the server URLs of
 * project images and audio become `multimedia/<basename>` and the media are copied in from the
 * repositories; links to the same text's pages on the server become relative.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import type { ArchiveSpec, Rewrite, UnitRecord, UnitSource } from '@clara/shared/records'
import { AUDIO_FOLDER, IMAGE_FOLDER } from '@clara/clara-model/data-folders'
import { COMPILED_EXCLUDES, COMPILED_ROOTS, MULTIMEDIA_DIR, URL_PATHS, type TextType } from './clara-layout.js'
import { dirSource, fileSource } from './places.js'

export const COMPILED_DOMAIN = 'compiled_exports'
export type Bundle = 'per-type' | 'single'

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
/** ` src="` / ` href='` (whitespace first, so `data-src` is left alone; quote in group `q`), then an optional `http(s)://host`. */
const ATTR = `(?<pre>\\s(?:src|href)\\s*=\\s*(?<q>["']))(?:https?://[^/"'\\s<>]+)?`
/** one URL path segment */
const SEG = `[^/"'?#<>]+`
/** the rest of the value up to the closing quote: optional sub-dirs, the basename, a query or fragment */
const TAIL = `(?<dirs>(?:${SEG}/)*)(?<base>${SEG})(?<qs>[?#][^"'<>]*)?\\k<q>`

/** Media rewrites: the lister names the repositories, clara-zip-unit does the copying. */
export function mediaRewrites(clara: string): Rewrite[] {
  const files = '\\.html?$'
  return [
    {
      files,
      pattern: `${ATTR}${esc(URL_PATHS.projectImage)}(?<iid>${SEG})/${TAIL}`,
      replace: `\${pre}${MULTIMEDIA_DIR}/\${base}\${q}`,
      copy: { from: `${path.join(clara, IMAGE_FOLDER)}/\${iid:url}/\${dirs:url}\${base:url}`, to: `${MULTIMEDIA_DIR}/\${base:url}` },
    },
    {
      files,
      pattern: `${ATTR}${esc(URL_PATHS.audioFile)}(?<engine>${SEG})/(?<lang>${SEG})/(?<voice>${SEG})/${TAIL}`,
      replace: `\${pre}${MULTIMEDIA_DIR}/\${base}\${q}`,
      copy: { from: `${path.join(clara, AUDIO_FOLDER)}/\${engine:url}/\${lang:url}/\${voice:url}/\${dirs:url}\${base:url}`, to: `${MULTIMEDIA_DIR}/\${base:url}` },
    },
  ]
}

/**
 * Server links to pages of a text type that is in the same archive become relative (`to` = where
 * that type's pages sit, relative to the member). Only pages that exist are matched, so every
 * rewritten link resolves; links to missing pages stay server URLs.
 */
export function pageLinkRewrite(id: number | string, t: TextType, to: string, pages: string[]): Rewrite[] {
  if (!pages.length) return []
  const names = pages.map(esc).join('|')
  return [{
    files: '\\.html?$',
    pattern: `${ATTR}${esc(URL_PATHS.renderedText)}${esc(String(id))}/${t}/(?<page>${names})(?<qs>[?#][^"'<>]*)?\\k<q>`,
    replace: `\${pre}${to}\${page}\${qs}\${q}`,
  }]
}

/** The `page_<n>.html` files at the top of a rendered dir. */
export function pagesOf(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => /^page_\d+\.html$/.test(n)).sort()
  } catch {
    return []
  }
}

/** What one text type contributes: its rendered dir, or (orphans only) a stray file of that name. */
export interface Rendered {
  type: TextType
  file?: boolean
}

/** `name` is a project id, or an orphan's name (its bytes when they are not UTF-8). */
function source(clara: string, name: string | Buffer, r: Rendered, prefix: string): UnitSource {
  if (r.file) {
    if (typeof name === 'string') return fileSource(clara, `${COMPILED_ROOTS[r.type]}/${name}`, prefix + name)
    return fileSource(clara, Buffer.concat([Buffer.from(`${COMPILED_ROOTS[r.type]}/`), name]), Buffer.concat([Buffer.from(prefix), name]))
  }
  return dirSource(clara, COMPILED_ROOTS[r.type], name, prefix, COMPILED_EXCLUDES)
}

/** The archives for the types present: one per type, or one `compiled` with a folder per type. */
export function compiledArchives(clara: string, name: string | Buffer, rendered: Rendered[], bundle: Bundle): ArchiveSpec[] {
  const media = mediaRewrites(clara)
  // a name that is not UTF-8 is no project id: no server link names its pages
  const pages = (r: Rendered) => (typeof name === 'string' ? pagesOf(path.join(clara, COMPILED_ROOTS[r.type], name)) : [])
  if (bundle === 'single') {
    return [{
      name: 'compiled',
      sources: rendered.map((r) => source(clara, name, r, `${r.type}/`)),
      rewrites: [...media, ...rendered.filter((r) => !r.file).flatMap((r) => pageLinkRewrite(String(name), r.type, `../${r.type}/`, pages(r)))],
    }]
  }
  return rendered.map((r) => ({
    name: `compiled_${r.type}`,
    sources: [source(clara, name, r, '')],
    rewrites: [...media, ...(r.file ? [] : pageLinkRewrite(String(name), r.type, '', pages(r)))],
  }))
}

export function compiledUnit(unit: string, name: string | Buffer, rendered: Rendered[], bundle: Bundle, clara: string, metadata: Record<string, unknown>, fingerprint?: string): UnitRecord {
  const rec: UnitRecord = {
    type: 'unit', domain: COMPILED_DOMAIN, unit, archives: compiledArchives(clara, name, rendered, bundle),
    metadata: { ...metadata, text_types: rendered.map((r) => r.type), bundle },
  }
  if (fingerprint) rec.fingerprint_extra = fingerprint
  return rec
}
