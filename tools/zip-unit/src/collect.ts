/** Turn one archive spec into its sorted member list: walked directories, single files, inline entries. */
import fs from 'node:fs'
import path from 'node:path'
import type { ArchiveSpec, InlineEntry, UnitSource } from '@clara/shared/records'
import { excluder, isUtf8, type TreeEntry } from '@clara/shared/walk'
import { statEntrySync, walkTreeSync } from '@clara/shared/walk-sync'
import type { CompiledRewrite } from './rewrite.js'

/** One archive member, before it is read. */
export interface Member {
  /** archive path (raw bytes; directories end with `/`) */
  name: Buffer
  kind: 'file' | 'dir' | 'symlink' | 'inline'
  /** the walked source (not for inline entries) */
  entry?: TreeEntry
  /** inline content, or a rewritten file kept in memory */
  data?: Buffer
  size: number
  mtimeMs: number
  mode: number
  /** added by a rewrite's `copy` */
  copied?: boolean
  /** set by the rewrite scan when the content changes (`data` holds it while the memory budget lasts) */
  rewrite?: { sha256_after: string; rws: CompiledRewrite[] }
}

/** What collecting one archive found besides its members. */
export interface Collected {
  members: Member[]
  /** `target_b64`: the target's exact bytes when they are not UTF-8 (`target` is then lossy text) */
  symlinks: { path: string; path_b64?: string; target: string; target_b64?: string }[]
  skipped: { path: string; path_b64?: string; kind: string; message: string }[]
}

/** A failure that belongs to the unit, with the place it happened. */
export class UnitError extends Error {
  constructor(message: string, public code: string) {
    super(message)
  }
}

const DOS_EPOCH_MS = Date.UTC(1980, 0, 1)

/** The text form of an archive path (for records and metadata). */
export function display(name: Buffer): string {
  return name.toString('utf8')
}

/** `{path}` for records and metadata, plus `path_b64` (the exact bytes) when the name is not UTF-8. */
export function pathFields(name: Buffer): { path: string; path_b64?: string } {
  return isUtf8(name) ? { path: display(name) } : { path: display(name), path_b64: name.toString('base64') }
}

/** A symlink's entry in metadata: its path fields and its target (`target_b64` too when not UTF-8). */
function symlinkFields(name: Buffer, e: TreeEntry): Collected['symlinks'][number] {
  return { ...pathFields(name), target: e.target ?? '', ...(e.target_b64 !== undefined ? { target_b64: e.target_b64 } : {}) }
}

function prefixed(prefix: Buffer, rel: Buffer): Buffer {
  return prefix.length ? Buffer.concat([prefix, Buffer.from('/'), rel]) : rel
}

/** An archive path without outer slashes; bytes (a name that is not UTF-8) are checked and kept as bytes. */
function cleanPrefix(p: string | Buffer | undefined): Buffer {
  // latin1 maps each byte to one character and back: `/` and `.` stay themselves
  const bytes = typeof p !== 'string' && p !== undefined
  const s = (bytes ? p.toString('latin1') : p ?? '').replace(/^\/+|\/+$/g, '')
  if (s.split('/').some((x) => x === '..' || x === '.')) throw new UnitError(`bad archive prefix '${bytes ? display(p) : p}'`, 'EBADUNIT')
  return Buffer.from(s, bytes ? 'latin1' : 'utf8')
}

function fromEntry(name: Buffer, e: TreeEntry): Member {
  const kind = e.kind === 'dir' ? 'dir' : e.kind === 'symlink' ? 'symlink' : 'file'
  return { name: kind === 'dir' ? Buffer.concat([name, Buffer.from('/')]) : name, kind, entry: e, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode }
}

// Synchronous stats: one syscall each, cheaper than a thread-pool round trip (workers and the
// main thread's stat-only link check both walk with walkTreeSync already).
function realOr(p: Buffer): Buffer {
  try {
    return fs.realpathSync.native(p, { encoding: 'buffer' })
  } catch {
    return p
  }
}

/** A dir source's path as bytes: `dir`, or `dir_b64` (a path that is not UTF-8, taken byte for byte). */
function sourceDir(src: UnitSource): Buffer {
  if (src.dir_b64 === undefined) return Buffer.from(path.resolve(src.dir!))
  const dir = Buffer.from(src.dir_b64, 'base64')
  if (dir[0] !== 0x2f) throw new UnitError(`source directory ${display(dir)}: dir_b64 must be an absolute path`, 'EBADUNIT')
  return dir
}

function statOrFail(abs: Buffer, rel: Buffer, message: (err: NodeJS.ErrnoException) => string): TreeEntry {
  try {
    return statEntrySync(abs, rel)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new UnitError(message(e), e.code ?? 'EIO')
  }
}

async function collectDir(src: UnitSource, out: Collected, add: (m: Member) => void): Promise<void> {
  const prefix = cleanPrefix(src.prefix)
  const named = src.dir ?? display(sourceDir(src))
  // The root the lister names may itself be a symlink (a project folder moved to another disk):
  // that one link is followed; nothing below it ever is.
  const dir = realOr(sourceDir(src))
  const root = statOrFail(dir, Buffer.alloc(0), (err) => `source directory ${named}: ${err.code === 'ENOENT' ? 'missing' : err.message}`)
  if (root.kind !== 'dir') throw new UnitError(`source directory ${named}: not a directory`, 'ENOTDIR')
  if (prefix.length) add(fromEntry(prefix, root))
  const skip = excluder(src.exclude)
  const walk = walkTreeSync(dir, {
    exclude: (rel) => skip(rel),
    onError: (rel, err) => {
      throw new UnitError(`${named}/${rel}: cannot be read (${err.code})`, err.code ?? 'EIO')
    },
  })
  for (const e of walk) {
    const name = prefixed(prefix, e.relBytes)
    if (e.kind === 'special') {
      out.skipped.push({ ...pathFields(name), kind: e.special ?? 'special', message: `skipped ${e.special}` })
      continue
    }
    if (e.kind === 'symlink') out.symlinks.push(symlinkFields(name, e))
    add(fromEntry(name, e))
  }
}

/** A file source's path and member name as bytes: `file`/`path`, or `file_b64`/`path_b64` (a name that is not UTF-8). */
function sourceFile(src: UnitSource): { file: Buffer; name: Buffer } {
  const file = src.file_b64 === undefined ? Buffer.from(path.resolve(src.file!)) : Buffer.from(src.file_b64, 'base64')
  if (file[0] !== 0x2f) throw new UnitError(`source file ${display(file)}: file_b64 must be an absolute path`, 'EBADUNIT')
  const name = src.path_b64 !== undefined ? Buffer.from(src.path_b64, 'base64') : src.path ?? file.subarray(file.lastIndexOf(0x2f) + 1)
  return { file, name: cleanPrefix(name) }
}

async function collectFile(src: UnitSource, out: Collected, add: (m: Member) => void): Promise<void> {
  const { file, name } = sourceFile(src)
  const named = src.file ?? display(file)
  const e = statOrFail(file, name, (err) => `source file ${named}: ${err.code === 'ENOENT' ? 'missing' : err.message}`)
  if (e.kind === 'special') out.skipped.push({ ...pathFields(name), kind: e.special ?? 'special', message: `skipped ${e.special}` })
  else if (e.kind === 'dir') throw new UnitError(`source file ${named}: is a directory`, 'EISDIR')
  else {
    if (e.kind === 'symlink') out.symlinks.push(symlinkFields(name, e))
    add(fromEntry(name, e))
  }
}

function inlineMember(en: InlineEntry, defaultMs: number): Member {
  const text = en.json !== undefined ? JSON.stringify(en.json, null, 2) + '\n' : en.text ?? ''
  const data = Buffer.from(text)
  const ms = en.mtime ? Date.parse(en.mtime) : defaultMs
  if (!Number.isFinite(ms)) throw new UnitError(`inline entry ${en.path}: bad mtime '${en.mtime}'`, 'EBADUNIT')
  return { name: cleanPrefix(en.path), kind: 'inline', data, size: data.length, mtimeMs: ms, mode: 0o644 }
}

/** Sort by name bytes; the same file path twice is an error, the same directory twice is one entry. */
export function addMember(byName: Map<string, Member>, m: Member): void {
  const key = m.name.toString('latin1')
  const had = byName.get(key)
  if (!had) byName.set(key, m)
  else if (had.kind !== 'dir' || m.kind !== 'dir') throw new UnitError(`duplicate archive path '${display(m.name)}'`, 'EDUPLICATE')
}

export function sortedMembers(byName: Map<string, Member>): Member[] {
  return [...byName.values()].sort((a, b) => Buffer.compare(a.name, b.name))
}

/** Collect an archive's members. Inline entries without an mtime take the newest source mtime (deterministic). */
export async function collectArchive(spec: ArchiveSpec): Promise<Collected & { byName: Map<string, Member> }> {
  const out: Collected = { members: [], symlinks: [], skipped: [] }
  const byName = new Map<string, Member>()
  const add = (m: Member) => addMember(byName, m)
  for (const src of spec.sources ?? []) {
    if (src.dir || src.dir_b64) await collectDir(src, out, add)
    else if (src.file || src.file_b64) await collectFile(src, out, add)
    else throw new UnitError(`archive ${spec.name}: a source needs "dir", "dir_b64", "file" or "file_b64"`, 'EBADUNIT')
  }
  let newest = DOS_EPOCH_MS
  for (const m of byName.values()) if (m.kind !== 'dir' && m.mtimeMs > newest) newest = m.mtimeMs
  for (const en of spec.entries ?? []) add(inlineMember(en, Math.floor(newest / 1000) * 1000))
  out.members = sortedMembers(byName)
  return { ...out, byName }
}

