/** `<run>/infra/`: every file written atomically (dirs 0750, files 0640), then `index.json`. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sweepTemps, writeFileAtomic, writeJsonAtomic } from '@clara/shared/atomic'
import { sha256 } from '@clara/shared/hash'
import type { Failure, Missing } from './capture.js'

export interface Output {
  /** path inside infra/, POSIX */
  name: string
  text: string
  source: string
  redactions: number
  aliases?: string[]
}

export interface Entry {
  name: string
  path: string
  size_bytes: number
  sha256: string
  source: string
  redactions: number
  aliases?: string[]
}

export const INDEX_VERSION = 1
const DIR_MODE = 0o750
const FILE_MODE = 0o640

/** Output name for a captured file: `<dir>/<basename>`, or `<dir>/<parent>/<basename>` for a `*.d` drop-in, made unique. */
export function outputName(dir: string, source: string, used: Set<string>): string {
  const base = path.basename(source)
  const parent = path.basename(path.dirname(source))
  let name = parent.endsWith('.d') ? `${dir}/${parent}/${base}` : `${dir}/${base}`
  for (let n = 2; used.has(name); n++) name = `${dir}/${parent}_${base}${n > 2 ? `.${n}` : ''}`
  used.add(name)
  return name
}

/** Last line of defence: replace any value a redactor removed somewhere if it still occurs anywhere. */
export function scrubCollected(text: string, secrets: Set<string>, placeholder: string): { text: string; count: number } {
  let count = 0
  for (const s of secrets) {
    if (s.length < 8 || !text.includes(s)) continue
    const parts = text.split(s)
    count += parts.length - 1
    text = parts.join(placeholder)
  }
  return { text, count }
}

async function previousPaths(indexFile: string): Promise<string[]> {
  try {
    const doc = JSON.parse(await fsp.readFile(indexFile, 'utf8')) as { entries?: { path?: string }[] }
    return (doc.entries ?? []).map((e) => String(e.path ?? '')).filter((p) => p.startsWith('infra/') && !p.split('/').includes('..'))
  } catch {
    return []
  }
}

export interface IndexMeta {
  created_at: string
  clara: string
}

const byName = (a: Output, b: Output) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

function entryOf(o: Output, size_bytes: number, sha256: string): Entry {
  return { name: o.name, path: `infra/${o.name}`, size_bytes, sha256, source: o.source, redactions: o.redactions, ...(o.aliases ? { aliases: o.aliases } : {}) }
}

/** --dry-run: the entries `writeInfra` would write (the same bytes, sizes and sha256), writing nothing. */
export function planInfra(outputs: Output[]): Entry[] {
  return [...outputs].sort(byName).map((o) => {
    const bytes = Buffer.from(o.text, 'utf8')
    return entryOf(o, bytes.length, sha256(bytes))
  })
}

/** Write the outputs and `index.json`; files a previous run listed and this one did not are removed. */
export async function writeInfra(runDir: string, outputs: Output[], missing: Missing[], failed: Failure[], meta: IndexMeta): Promise<Entry[]> {
  const infra = path.join(runDir, 'infra')
  await fsp.mkdir(infra, { recursive: true, mode: DIR_MODE })
  const indexFile = path.join(infra, 'index.json')
  const before = await previousPaths(indexFile)
  const entries: Entry[] = []
  const dirs = new Set([infra])
  for (const o of [...outputs].sort(byName)) {
    const file = path.join(infra, o.name)
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: DIR_MODE })
    dirs.add(path.dirname(file))
    const w = await writeFileAtomic(file, o.text, { mode: FILE_MODE })
    entries.push(entryOf(o, w.size_bytes, w.sha256))
  }
  const now = new Set(entries.map((e) => e.path))
  for (const p of before) if (!now.has(p)) await fsp.rm(path.join(runDir, p), { force: true })
  for (const d of dirs) await sweepTemps(d)
  const doc = { version: INDEX_VERSION, tool: 'clara-infra', ...meta, entries, missing, failed }
  await writeJsonAtomic(indexFile, doc, { mode: FILE_MODE })
  return entries
}
