/**
 * Test helper (not a test) for the e2e pipelines: run the real bins under `bash -o pipefail`, unpack
 * zips with the real `unzip`, compare trees, and check the references of rendered HTML.
 */
import { existsSync, promises as fsp, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from '@clara/shared/testkit'
import { spawnBash, spawnTool, type SpawnResult } from '@clara/shared/testkit-spawn'
import { excluder, walkTree } from '@clara/shared/walk'

const BIN = path.join(repoRoot(), 'node_modules', '.bin')
export const ENV = { ...process.env, PATH: `${BIN}:${process.env.PATH}` }

/** Run a shell pipeline with the clara-* bins on PATH. */
export async function sh(script: string, env: NodeJS.ProcessEnv = {}): Promise<SpawnResult> {
  return spawnBash(script, { env: { ...ENV, ...env } })
}

export const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** Unit directories of a domain that are finished (their metadata.json exists). */
export function unitsOnDisk(dest: string, domain: string): string[] {
  const root = path.join(dest, domain)
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'metadata.json')))
    .map((d) => d.name)
    .sort()
}

export async function unzip(zip: string, into: string): Promise<void> {
  await fsp.mkdir(into, { recursive: true })
  const r = await spawnTool('unzip', ['-q', '-o', zip, '-d', into])
  if (r.code !== 0) throw new Error(`unzip ${zip}: ${r.stderr}`)
}

/** Differences between two trees: names, kinds, bytes, and mtimes to the second. */
export async function treeDiff(a: string, b: string, exclude: string[] = []): Promise<string[]> {
  const skip = excluder(exclude)
  const list = async (root: string) => {
    const m = new Map<string, { kind: string; mtime: number; abs: string }>()
    for await (const e of walkTree(root, { exclude: (rel) => skip(rel) })) m.set(e.rel, { kind: e.kind, mtime: Math.floor(e.mtimeMs / 1000), abs: e.abs.toString() })
    return m
  }
  const [ma, mb] = [await list(a), await list(b)]
  const out: string[] = []
  for (const [rel, x] of ma) {
    const y = mb.get(rel)
    if (!y) out.push(`missing ${rel}`)
    else if (x.kind !== y.kind) out.push(`kind ${rel}`)
    else if (x.mtime !== y.mtime) out.push(`mtime ${rel} ${x.mtime} != ${y.mtime}`)
    else if (x.kind === 'file' && !(await fsp.readFile(x.abs)).equals(await fsp.readFile(y.abs))) out.push(`bytes ${rel}`)
  }
  for (const rel of mb.keys()) if (!ma.has(rel)) out.push(`extra ${rel}`)
  return out
}

const TAG = /<(img|audio|source|a)\b[^>]*>/gi
const ATTR = /\s(src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi

/** The references of one HTML text: img/audio/source `src`, and `a href` to other .html pages. */
export function references(html: string): { tag: string; value: string }[] {
  const refs: { tag: string; value: string }[] = []
  for (const t of html.matchAll(TAG)) {
    for (const a of t[0].matchAll(ATTR)) {
      const tag = t[1].toLowerCase()
      const attr = a[1].toLowerCase()
      const value = a[2] ?? a[3] ?? a[4]
      if (tag === 'a' ? attr === 'href' : attr === 'src') refs.push({ tag, value })
    }
  }
  return refs
}

/** Local means relative: no scheme, no leading `/`, not a bare fragment. */
export function isLocal(v: string): boolean {
  return v !== '' && !/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(v)
}

/**
 * Every local media reference, and every relative link to another .html page, must resolve to a
 * file of the unpacked archive (or of `within`, the folder its sibling archives are unpacked in).
 * Returns the ones that do not, as `member: reference`.
 */
export async function brokenReferences(root: string, within = root): Promise<string[]> {
  const broken: string[] = []
  for await (const e of walkTree(root)) {
    if (e.kind !== 'file' || !/\.html?$/i.test(e.rel)) continue
    const html = await fsp.readFile(e.abs.toString(), 'utf8')
    for (const r of references(html)) {
      if (!isLocal(r.value)) continue
      const target = decodeURIComponent(r.value.replace(/[?#].*$/, ''))
      if (r.tag === 'a' && !/\.html?$/i.test(target)) continue
      const abs = path.resolve(path.dirname(path.join(root, e.rel)), target)
      const inside = abs.startsWith(within + path.sep)
      let ok = false
      try {
        ok = inside && statSync(abs).isFile()
      } catch {
        ok = false
      }
      if (!ok) broken.push(`${e.rel}: ${r.value}`)
    }
  }
  return broken.sort()
}

/** The records of a stream (end record left out). */
export function records(stdout: string): Record<string, any>[] {
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.type !== 'end')
}
