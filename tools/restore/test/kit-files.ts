/**
 * Test helper (not a test): the file side of the round-trip equivalence. Every file under the
 * data roots byte-equal with equal mtime and mode, except the C-LARA JSON path files (which must
 * parse and carry the new root, per the oracle) and the compiled members clara-zip-unit rewrote
 * on purpose (their sha256 after the rewrite is in metadata.json); compiled media resolve.
 */
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { hashFile } from '@clara/shared/hash'
import { parsePickle } from '../src/pickle.js'
import { DATA_ROOTS, entries, expectedPath, isPathJson } from './kit.js'

interface CompiledFacts {
  /** root-relative → sha256 after clara-zip-unit's rewrite */
  rewritten: Map<string, string>
  /** folders whose own mtime no archive records: prefix-'' targets and their parents */
  noDirTime: Set<string>
}

export async function compiledFacts(run: string): Promise<CompiledFacts> {
  const rewritten = new Map<string, string>()
  const noDirTime = new Set<string>()
  for (const domain of ['compiled_exports', 'source_exports', 'legacy_zips', 'media']) {
    for (const u of await fsp.readdir(path.join(run, domain)).catch(() => [] as string[])) {
      const meta = JSON.parse(await fsp.readFile(path.join(run, domain, u, 'metadata.json'), 'utf8').catch(() => 'null'))
      if (!meta) continue
      for (const a of meta.archives) {
        for (const s of a.restore ?? []) {
          if (s.prefix === '') noDirTime.add(s.to)
          for (let d = path.posix.dirname(s.to); d !== '.'; d = path.posix.dirname(d)) noDirTime.add(d)
        }
        const to = a.restore?.[0]?.to
        for (const r of meta.rewritten ?? []) if (r.archive === a.name) rewritten.set(`${to}/${r.path}`, r.sha256_after)
      }
    }
  }
  return { rewritten, noDirTime }
}

function mapJson(doc: any, oldRoots: string[], to: string): any {
  if (Array.isArray(doc)) return doc.map((o) => (o && typeof o === 'object' ? { ...o, file: expectedPath(o.file, oldRoots, to) } : o))
  return { ...doc, project_dir: expectedPath(doc.project_dir, oldRoots, to) }
}

const sec = (ms: number) => Math.floor(ms / 1000)
const CONTENT_ZIP = /^clara_compiled(_phonetic)?\/\d+\/content_zipfile_(normal|phonetic)\.zip$/

/** A pickle: the same opcodes, its strings per the path oracle (the parser itself is checked against Python in pickle.ts). */
function pickleDiff(rel: string, src: Buffer, dst: Buffer, oldRoots: string[], to: string): string[] {
  const [a, b] = [parsePickle(src), parsePickle(dst)]
  const names = (ops: typeof a) => ops.map((o) => o.name).join(' ')
  if (names(a) !== names(b)) return [`${rel}: other opcodes than the source's`]
  const bad = a.filter((o, i) => o.text !== undefined && expectedPath(o.text, oldRoots, to) !== b[i].text)
  return bad.length ? [`${rel}: ${bad.length} string(s) differ from the oracle, e.g. ${bad[0].text}`] : []
}

/** Where the units a run left out on purpose belong (index.json `not_stored`: secret units of a run that did not encrypt). */
export async function notStoredPaths(run: string): Promise<string[]> {
  const out: string[] = []
  for (const domain of ['compiled_exports', 'source_exports', 'legacy_zips', 'media']) {
    const index = JSON.parse(await fsp.readFile(path.join(run, domain, 'index.json'), 'utf8').catch(() => 'null'))
    for (const n of index?.not_stored ?? []) out.push(...n.restore_to)
  }
  return out.sort()
}

/** Differences between the source install and the restored one, as readable lines (empty = equivalent). */
export async function treeDiffs(src: string, dst: string, run: string, oldRoots: string[], opts: { sources: boolean }): Promise<string[]> {
  const facts = await compiledFacts(run)
  const out: string[] = []
  const notStored = new Set(await notStoredPaths(run))
  for (const root of DATA_ROOTS) {
    if (!opts.sources && (root === 'clara_content' || root.startsWith('images/'))) continue
    // a secret left out of the backup cannot come back: it must not appear (the report lists it as to be provided)
    if (notStored.has(root)) {
      if (existsSync(path.join(dst, root))) out.push(`${root}: not stored in the backup, yet restored`)
      continue
    }
    const [a, b] = [await entries(src, root), await entries(dst, root)]
    for (const [rel, e] of a) {
      if (/(^|\/)__pycache__(\/|$)/.test(rel)) continue
      const f = b.get(rel)
      // left out of the compiled archives; the restore builds its own where the install had one (content-zip.ts, tested in content-zip.ts and site.ts)
      if (CONTENT_ZIP.test(rel)) {
        if (!f) out.push(`${rel}: the install's content zip was not rebuilt`)
        continue
      }
      if (!f) {
        out.push(`${rel}: missing`)
        continue
      }
      if (f.kind !== e.kind) out.push(`${rel}: ${e.kind} became ${f.kind}`)
      const dirTimeKnown = e.kind === 'dir' && !facts.noDirTime.has(rel) && !rel.startsWith('audio/')
      if ((e.kind === 'file' || dirTimeKnown) && sec(e.mtimeMs) !== sec(f.mtimeMs)) out.push(`${rel}: mtime ${sec(e.mtimeMs)} → ${sec(f.mtimeMs)}`)
      if (e.kind !== 'file') continue
      if (!rel.startsWith('audio/') && e.mode !== f.mode) out.push(`${rel}: mode ${e.mode.toString(8)} → ${f.mode.toString(8)}`)
      out.push(...(await fileDiff(rel, e.abs.toString(), f.abs.toString(), facts, oldRoots, dst)))
    }
    for (const rel of b.keys()) if (!a.has(rel) && !/^clara_compiled[^/]*\/[^/]+\/multimedia(\/|$)/.test(rel)) out.push(`${rel}: not in the source`)
  }
  return out
}

async function fileDiff(rel: string, s: string, d: string, facts: CompiledFacts, oldRoots: string[], to: string): Promise<string[]> {
  if (rel.endsWith('.pickle')) return pickleDiff(rel, await fsp.readFile(s), await fsp.readFile(d), oldRoots, to)
  if (isPathJson(rel)) {
    const [ts, td] = [await fsp.readFile(s, 'utf8'), await fsp.readFile(d, 'utf8')]
    const out: string[] = []
    if (JSON.stringify(JSON.parse(td)) !== JSON.stringify(mapJson(JSON.parse(ts), oldRoots, to))) out.push(`${rel}: JSON differs from the oracle`)
    if (!/[^\x00-\x7f]/.test(ts) && /[^\x00-\x7f]/.test(td)) out.push(`${rel}: \\u escapes lost`)
    if (/\n( +)/.exec(ts)?.[1] !== /\n( +)/.exec(td)?.[1]) out.push(`${rel}: indent changed`)
    return out
  }
  const want = facts.rewritten.get(rel) ?? (await hashFile(s)).sha256
  const got = (await hashFile(d)).sha256
  return got === want ? [] : [`${rel}: content differs${facts.rewritten.has(rel) ? ' from the archived rewrite' : ''}`]
}

/** Media references (src, data-audio) of the restored compiled pages that do not resolve (relative, audio-repository or gloss URLs). */
export async function unresolvedMedia(root: string, dbUrl: string): Promise<string[]> {
  const db = await openDb(dbUrl, { readonly: true })
  const out: string[] = []
  try {
    for (const top of ['clara_compiled', 'clara_compiled_phonetic', 'clara_compiled_for_questionnaire']) {
      for (const [rel, e] of await entries(root, top)) {
        if (e.kind !== 'file' || !/\.html?$/.test(rel)) continue
        const html = await fsp.readFile(e.abs.toString(), 'utf8')
        for (const m of html.matchAll(/\s(src|data-audio)\s*=\s*"([^"]*)"/g)) {
          const ref = m[2]
          if (/\.(css|js)$/.test(ref)) continue // page assets, not media (questionnaire pages have no static/ at all)
          const target = await resolveRef(root, path.dirname(e.abs.toString()), ref, db)
          if (target && !existsSync(target)) out.push(`${rel}: ${ref}`)
        }
      }
    }
  } finally {
    await db.close()
  }
  return out
}

async function resolveRef(root: string, dir: string, ref: string, db: Awaited<ReturnType<typeof openDb>>): Promise<string | null> {
  if (/^(https?:|mailto:|data:|#|javascript:)/.test(ref)) return null
  const gloss = /^\/accounts\/image_gloss_file\/(\d+)\/?$/.exec(ref)
  if (gloss) return String((await db.query('select file_path as p from orm_image_gloss_metadata where id = ?', [Number(gloss[1])]))[0]?.p ?? '<no row>')
  const audio = /^\/accounts\/serve_audio_file\/(.+)$/.exec(ref)
  if (audio) return path.join(root, 'audio/tts_repository_orm', decodeURIComponent(audio[1]))
  if (ref.startsWith('/')) return null
  return path.join(dir, decodeURIComponent(ref.replace(/[?#].*$/, '')))
}

/** Files under `root` (outside `exempt` prefixes) that contain any needle. */
export async function grepTree(root: string, needles: string[], exempt: RegExp): Promise<string[]> {
  const hits: string[] = []
  const bufs = needles.map((n) => Buffer.from(n))
  for (const [rel, e] of await entries(root, '.')) {
    const r = rel.replace(/^\.\//, '')
    if (e.kind !== 'file' || exempt.test(r)) continue
    const data = await fsp.readFile(e.abs.toString())
    if (bufs.some((b) => data.includes(b))) hits.push(r)
  }
  return hits
}
