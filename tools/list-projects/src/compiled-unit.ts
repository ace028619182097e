/**
 * `compiled_exports/<id>/compiled_<type>.zip` (or one `compiled.zip` with a folder per type): the
 * rendered dirs (clara-facts §3), made self-contained. In EVERY html file each server URL C-LARA
 * writes into pages (`@clara/clara-model/server-urls`) is rewritten to something inside the zip:
 * project images, audio and picture-gloss images become `multimedia/<basename>` and are copied in
 * from the repositories; links to pages of a text type in the run become relative; every server
 * URL left after that is reported.
 */
import { lstatSync, readdirSync } from 'node:fs'
import path from 'node:path'
import type { Row } from '@clara/shared/db'
import type { ArchiveSpec, Rewrite, UnitRecord, UnitSource } from '@clara/shared/records'
import { AUDIO_FOLDER, claraRelative, GLOSS_IMAGE_FOLDER, IMAGE_FOLDER } from '@clara/clara-model/data-folders'
import { CONTENT_ZIPS_FIELD, contentZipName, isContentZipType } from '@clara/clara-model/content-zip'
import { LINKED_TEXT_TYPES, SERVER_URLS, GLOSS_TABLE } from '@clara/clara-model/server-urls'
import { COMPILED_EXCLUDES, COMPILED_ROOTS, MULTIMEDIA_DIR, type TextType } from './clara-layout.js'
import { dirSource, fileSource, installPath } from './places.js'

export const COMPILED_DOMAIN = 'compiled_exports'
export type Bundle = 'per-type' | 'single'

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
/** ` src="` / ` data-image-gloss='` … (whitespace first, so `data-src` is not `src`; quote in group `q`), then an optional `http(s)://host`. */
const attr = (names: readonly string[]) => `(?<pre>\\s(?:${names.map(esc).join('|')})\\s*=\\s*(?<q>["']))(?:https?://[^/"'\\s<>]+)?`
/** one URL path segment */
const SEG = `[^/"'?#<>]+`
/** the rest of the value up to the closing quote: optional sub-dirs, the basename, a query or fragment */
const TAIL = `(?<dirs>(?:${SEG}/)*)(?<base>${SEG})(?<qs>[?#][^"'<>]*)?\\k<q>`
const FILES = '\\.html?$'
/** media URLs are also matched as a link target (`href`) and a plain `src`, whatever attribute C-LARA itself uses */
const MEDIA_ATTRS = ['src', 'href']

/** Where a picture gloss's file is under `clara`, by `orm_image_gloss_metadata.id` (rows whose file_path names a file in the gloss repository). */
export function glossTable(clara: string, rows: Row[]): Record<string, Record<string, string>> {
  const table: Record<string, Record<string, string>> = {}
  for (const r of rows) {
    const rel = claraRelative(String(r.file_path ?? ''))
    if (!rel || !rel.startsWith(GLOSS_IMAGE_FOLDER + '/')) continue
    table[String(r.id)] = { gloss_file: path.join(clara, rel), gloss_base: path.posix.basename(rel) }
  }
  return table
}

/**
 * Media rewrites: the lister names the repositories, clara-zip-unit does the copying. `gloss` maps
 * the gloss ids the unit's pages may name to their files (glossTable).
 */
export function mediaRewrites(clara: string, gloss: Record<string, Record<string, string>> = {}): Rewrite[] {
  const to = `${MULTIMEDIA_DIR}/\${base}`
  return [
    {
      files: FILES,
      pattern: `${attr(MEDIA_ATTRS)}${esc(SERVER_URLS.projectImage.prefix)}(?<iid>${SEG})/${TAIL}`,
      replace: `\${pre}${MULTIMEDIA_DIR}/\${base}\${q}`,
      copy: { from: `${path.join(clara, IMAGE_FOLDER)}/\${iid:url}/\${dirs:url}\${base:url}`, to: `${MULTIMEDIA_DIR}/\${base:url}` },
    },
    {
      files: FILES,
      pattern: `${attr([...new Set([...MEDIA_ATTRS, ...SERVER_URLS.audioFile.attributes])])}${esc(SERVER_URLS.audioFile.prefix)}(?<engine>${SEG})/(?<lang>${SEG})/(?<voice>${SEG})/${TAIL}`,
      replace: `\${pre}${to}\${q}`,
      copy: { from: `${path.join(clara, AUDIO_FOLDER)}/\${engine:url}/\${lang:url}/\${voice:url}/\${dirs:url}\${base:url}`, to: `${MULTIMEDIA_DIR}/\${base:url}` },
    },
    {
      files: FILES,
      pattern: `${attr([...SERVER_URLS.imageGloss.attributes, ...MEDIA_ATTRS])}${esc(SERVER_URLS.imageGloss.prefix)}(?<gid>\\d+)/?(?<qs>[?#][^"'<>]*)?\\k<q>`,
      replace: `\${pre}${MULTIMEDIA_DIR}/\${gloss_base}\${q}`,
      copy: { from: '\${gloss_file}', to: `${MULTIMEDIA_DIR}/\${gloss_base}` },
      lookup: { group: 'gid', table: gloss, missing: `no ${GLOSS_TABLE} row with a file under ${GLOSS_IMAGE_FOLDER}` },
    },
  ]
}

/**
 * Server links to pages of a text type that is in the same run become relative (`to` = where
 * that type's pages sit, relative to the member). Only pages that exist are matched, so every
 * rewritten link resolves; links to missing pages are reported by `leftoverReports`.
 */
export function pageLinkRewrite(id: number | string, t: TextType, to: string, pages: string[]): Rewrite[] {
  if (!pages.length) return []
  const names = pages.map(esc).join('|')
  return [{
    files: FILES,
    pattern: `${attr(SERVER_URLS.renderedText.attributes)}${esc(SERVER_URLS.renderedText.prefix)}${esc(String(id))}/${t}/(?<page>${names})(?<qs>[?#][^"'<>]*)?\\k<q>`,
    replace: `\${pre}${to}\${page}\${qs}\${q}`,
  }]
}

/** Last: every server URL still in an attribute is left as it is and reported (its target is not in this backup). */
export function leftoverReports(): Rewrite[] {
  const all = [...new Set([...Object.values(SERVER_URLS).flatMap((u) => u.attributes), ...MEDIA_ATTRS])]
  return [
    {
      files: FILES,
      pattern: `${attr(SERVER_URLS.renderedText.attributes)}${esc(SERVER_URLS.renderedText.prefix)}[^"'<>]*\\k<q>`,
      replace: '',
      report: 'a page of a text type or project that is not in this run (or a page that does not exist): left a server URL',
    },
    {
      // not the two above: a gloss id the table lacks is already unresolved (an error), not only reported
      files: FILES,
      pattern: `${attr(all)}/accounts/(?!${esc(SERVER_URLS.renderedText.prefix.slice('/accounts/'.length))}|${esc(SERVER_URLS.imageGloss.prefix.slice('/accounts/'.length))}\\d+/?(?:[?#][^"'<>]*)?\\k<q>)[^"'<>]*\\k<q>`,
      replace: '',
      report: 'a server URL with no file inside the zip: left as it was',
    },
  ]
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
export function compiledArchives(clara: string, name: string | Buffer, rendered: Rendered[], bundle: Bundle, gloss: Record<string, Record<string, string>> = {}): ArchiveSpec[] {
  const media = mediaRewrites(clara, gloss)
  // a name that is not UTF-8 is no project id: no server link names its pages
  const pages = (r: Rendered) => (typeof name === 'string' ? pagesOf(path.join(clara, COMPILED_ROOTS[r.type], name)) : [])
  const linked = rendered.filter((r) => !r.file && (LINKED_TEXT_TYPES as readonly string[]).includes(r.type))
  // a type's own pages are siblings in a per-type archive; any other type is the sibling folder named after it
  // (in a bundle, on the restored server, where /accounts/rendered_texts/<id>/<type>/ are siblings, and when
  // per-type zips are unpacked side by side into folders named after their types)
  const links = (self: TextType | null) => linked.flatMap((r) => pageLinkRewrite(String(name), r.type, r.type === self ? '' : `../${r.type}/`, pages(r)))
  if (bundle === 'single') {
    return [{
      name: 'compiled',
      sources: rendered.map((r) => source(clara, name, r, `${r.type}/`)),
      rewrites: [...media, ...links(null), ...leftoverReports()],
    }]
  }
  return rendered.map((r) => ({
    name: `compiled_${r.type}`,
    sources: [source(clara, name, r, '')],
    rewrites: [...media, ...links(r.type), ...leftoverReports()],
  }))
}

/**
 * The text types among `rendered` whose dir holds C-LARA's content zip (a regular file,
 * `content_zipfile_<type>.zip`). The archive leaves the zip out (COMPILED_EXCLUDES: it nests); the
 * unit's metadata lists these so that a restore rebuilds the zips the install had, and only those.
 */
export function contentZipsOf(clara: string, name: string | Buffer, rendered: Rendered[]): TextType[] {
  return rendered.filter((r) => {
    if (r.file || !isContentZipType(r.type)) return false
    const rel = Buffer.concat([Buffer.from(`${COMPILED_ROOTS[r.type]}/`), Buffer.from(name), Buffer.from(`/${contentZipName(r.type)}`)])
    try {
      return lstatSync(installPath(clara, rel)).isFile()
    } catch {
      return false // none there (or unreadable: the archive of its dir reports that)
    }
  }).map((r) => r.type)
}

export function compiledUnit(unit: string, name: string | Buffer, rendered: Rendered[], bundle: Bundle, clara: string, metadata: Record<string, unknown>, fingerprint?: string, gloss?: Record<string, Record<string, string>>): UnitRecord {
  const rec: UnitRecord = {
    type: 'unit', domain: COMPILED_DOMAIN, unit, archives: compiledArchives(clara, name, rendered, bundle, gloss),
    metadata: { ...metadata, text_types: rendered.map((r) => r.type), bundle, [CONTENT_ZIPS_FIELD]: contentZipsOf(clara, name, rendered) },
  }
  if (fingerprint) rec.fingerprint_extra = fingerprint
  return rec
}
