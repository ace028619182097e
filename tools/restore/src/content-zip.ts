/**
 * Issue 14 item 2: `GET /accounts/serve_zipfile/<id>/<type>/` serves `content_zipfile_<type>.zip`
 * from the rendered dir, which the backup leaves out (it would nest). After the units are in, the
 * zip is rebuilt from the restored pages in C-LARA's own layout (`@clara/clara-model/content-zip`):
 * `START.html`, then the rendered dir under `content/` (directories as entries, `content/multimedia/`
 * always there), written atomically beside the pages. C-LARA's step that rewrites server URLs of
 * `page*.html` to `multimedia/` has nothing left to do: the backup rewrote those URLs already.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { isTempName, running, tempOwner, withAtomicFile } from '@clara/shared/atomic'
import { walkTreeSync } from '@clara/shared/walk-sync'
import { ZipWriter } from '@clara/shared/zip-writer'
import {
  CONTENT_FOLDER_IN_ZIP, CONTENT_ZIP_TYPES, contentZipName, MULTIMEDIA_IN_ZIP, NESTED_CONTENT_ZIP, renderedDir, START_PAGE, type ContentZipType,
} from '@clara/clara-model/content-zip'
import { COMPILED_FOLDERS } from '@clara/clara-model/data-folders'

export interface ContentZipResult {
  /** `clara_compiled/<id>/content_zipfile_normal.zip`, … (relative to the root) */
  built: string[]
  /** already there and newer than every file of its dir (C-LARA's `zip_is_fresh`) */
  fresh: string[]
  failed: { zip: string; message: string }[]
  /** not built: the install had none there when it was backed up (C-LARA builds one only when asked) */
  none: string[]
}

/** The rendered dirs under `root`: one per project id (a folder named by digits), per type. */
function renderedDirs(root: string): { type: ContentZipType; id: string }[] {
  return CONTENT_ZIP_TYPES.flatMap((type) => {
    let names: string[] = []
    try {
      names = readdirSync(path.join(root, COMPILED_FOLDERS[type]))
    } catch {
      return []
    }
    return names.filter((n) => /^\d+$/.test(n) && statSync(path.join(root, COMPILED_FOLDERS[type], n)).isDirectory()).sort((a, b) => Number(a) - Number(b)).map((id) => ({ type, id }))
  })
}

interface Item {
  name: string
  kind: 'dir' | 'file'
  abs?: Buffer
  mtime: number
  mode: number
}

/** A content zip's own temp file (an atomic write a kill interrupted): never a page of the text. */
const zipTemp = (rel: string) => isTempName(rel) && NESTED_CONTENT_ZIP.test(rel.slice(1).replace(/\.\d+\.[0-9a-f]+\.tmp$/, ''))

const walkDir = (dir: string) => walkTreeSync(dir, { exclude: (rel) => NESTED_CONTENT_ZIP.test(rel) || zipTemp(rel) })

/** Remove the temp files a killed rebuild left in a rendered dir (those of a writer still running are left alone). */
function sweepZipTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    const owner = tempOwner(name)
    if (!zipTemp(name) || owner === process.pid) continue
    if (owner === undefined || !running(owner)) rmSync(path.join(dir, name), { force: true })
  }
}

/** The newest mtime (ms) of a file in the dir, or null when it holds none. */
function newestFile(dir: string): number | null {
  let newest: number | null = null
  for (const e of walkDir(dir)) if (e.kind === 'file' && (newest === null || e.mtimeMs > newest)) newest = e.mtimeMs
  return newest
}

/** The members, in name order: START.html, content/, and the dir's folders and files under content/. */
function members(dir: string, now: number): { items: Item[] } {
  const items: Item[] = [{ name: START_PAGE.name, kind: 'file', mtime: now, mode: 0o644 }, { name: `${CONTENT_FOLDER_IN_ZIP}/`, kind: 'dir', mtime: now, mode: 0o755 }]
  let multimedia = false
  for (const e of walkDir(dir)) {
    if (e.kind !== 'file' && e.kind !== 'dir') continue // C-LARA's copytree would copy a symlink's target; a restored rendered dir holds none
    const name = `${CONTENT_FOLDER_IN_ZIP}/${e.rel}${e.kind === 'dir' ? '/' : ''}`
    if (name === `${MULTIMEDIA_IN_ZIP}/`) multimedia = true
    // a folder's own mtime may be the restore's time (an archive that records no entry for it): the zip's time instead
    items.push({ name, kind: e.kind, abs: e.abs, mtime: e.kind === 'dir' ? now : Math.floor(e.mtimeMs / 1000), mode: e.mode })
  }
  if (!multimedia) items.push({ name: `${MULTIMEDIA_IN_ZIP}/`, kind: 'dir', mtime: now, mode: 0o755 })
  items.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
  return { items }
}

/** No file of the dir is newer (C-LARA's `zip_is_fresh`): C-LARA would serve it as it is. */
function isFresh(zip: string, dir: string): boolean {
  let zipMs: number
  try {
    zipMs = statSync(zip).mtimeMs
  } catch {
    return false
  }
  return (newestFile(dir) ?? 0) <= zipMs
}

/**
 * Build one content zip from a rendered dir, atomically. Its own time (the zip file's mtime, and
 * that of the entries C-LARA makes at build time: START.html, content/, content/multimedia/) is
 * the newest file's of the dir: C-LARA's `zip_is_fresh` holds (no file is newer), and the same
 * restored dir always gives the same bytes (a rerun, a resumed restore).
 */
export async function buildContentZip(dir: string, zip: string): Promise<void> {
  const newestMs = newestFile(dir) ?? statSync(dir).mtimeMs
  const { items } = members(dir, Math.floor(newestMs / 1000))
  await withAtomicFile(zip, async (f) => {
    const w = new ZipWriter(f, { level: 6 })
    for (const it of items) {
      const meta = { name: Buffer.from(it.name), mtime: it.mtime, mode: it.mode }
      if (it.kind === 'dir') await w.addDir(meta)
      else await w.addFile(meta, it.abs ? readFileSync(it.abs) : Buffer.from(START_PAGE.text))
    }
    await w.finish()
  }, { mode: 0o644, mtime: new Date(Math.ceil(newestMs)), durable: false }) // the restore flushes once, before its report (markers.ts) // a Date holds whole ms: rounded up, never older than the newest file
}

/** What became of one rendered dir's content zip (`none`: left out, as the backed-up install had none). */
export type ZipOutcome = { state: 'built' | 'fresh' | 'absent' | 'none' } | { state: 'failed'; message: string }

/**
 * The content zip of one rendered dir (`absent`: no such dir), unless a fresh one is there.
 * `trustFresh` false (an earlier restore ended unflushed: its zip may be damaged): rebuilt anyway.
 */
export async function contentZipFor(root: string, type: ContentZipType, id: string, trustFresh = true): Promise<ZipOutcome> {
  const dir = path.join(root, renderedDir(type, id))
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return { state: 'absent' }
  const zip = path.join(dir, contentZipName(type))
  sweepZipTemps(dir)
  if (trustFresh && isFresh(zip, dir)) return { state: 'fresh' }
  try {
    await buildContentZip(dir, zip)
    return { state: 'built' }
  } catch (err) {
    return { state: 'failed', message: (err as Error).message }
  }
}

/** The rendered dir a restore target is (`clara_compiled/<id>`, `clara_compiled_phonetic/<id>`), if it is one. */
export function renderedDirOf(target: string): { type: ContentZipType; id: string } | null {
  for (const type of CONTENT_ZIP_TYPES) {
    const [folder, id, more] = target.split('/')
    if (folder === COMPILED_FOLDERS[type] && id && /^\d+$/.test(id) && more === undefined) return { type, id }
  }
  return null
}

/**
 * Rebuild the content zip of every restored rendered dir that lacks a fresh one. A failure is
 * listed; the others go on. `early`: the dirs whose zip was already dealt with while the other
 * units restored (units-step.ts), by `renderedDir/zip name`, those whose install had none
 * included; a rendered dir it does not name (no compiled unit of this restore wrote it) gets one.
 */
export async function rebuildContentZips(root: string, early: Map<string, ZipOutcome> = new Map(), trustFresh = true): Promise<ContentZipResult> {
  const out: ContentZipResult = { built: [], fresh: [], failed: [], none: [] }
  for (const { type, id } of renderedDirs(root)) {
    const rel = `${renderedDir(type, id)}/${contentZipName(type)}`
    const r = early.get(rel) ?? (await contentZipFor(root, type, id, trustFresh))
    if (r.state === 'built') out.built.push(rel)
    else if (r.state === 'fresh') out.fresh.push(rel)
    else if (r.state === 'none') out.none.push(rel)
    else if (r.state === 'failed') out.failed.push({ zip: rel, message: r.message })
  }
  return out
}
