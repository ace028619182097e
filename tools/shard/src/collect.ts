/** Gather the members to archive: `file` records from stdin, or trees walked from `--root`s. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { fieldBytes } from '@clara/shared/names'
import { readRecords } from '@clara/shared/ndjson'
import type { ClaraRecord, FileRecord } from '@clara/shared/records'
import { skipMessage } from '@clara/shared/source-file'
import { excluder } from '@clara/shared/walk'
import { statEntrySync, walkTreeSync } from '@clara/shared/walk-sync'
import type { Member } from './member.js'
import { archiveName, type RootSpec } from './root-spec.js'
import type { Problem } from './tar-writer.js'

export interface Collected {
  members: Member[]
  roots: string[]
  missing_roots: string[]
  /** records of the `--report-types`, by type */
  reports: Map<string, ClaraRecord[]>
  /** error records that arrived on stdin (from the lister) */
  upstream: ClaraRecord[]
}

export type OnProblem = (p: Problem, during: string) => Promise<void>

function empty(): Collected {
  return { members: [], roots: [], missing_roots: [], reports: new Map(), upstream: [] }
}

/** Read records: `file` records become members, report types are kept, everything else passes through. */
export async function collectFromRecords(stdin: NodeJS.ReadableStream, pass: (rec: ClaraRecord) => Promise<void>, reportTypes: string[], onProblem: OnProblem): Promise<Collected> {
  const c = empty()
  for (const t of reportTypes) c.reports.set(t, [])
  for await (const rec of readRecords(stdin as Readable)) {
    if (rec.type === 'file') {
      const r = rec as FileRecord
      if (!c.roots.includes(r.root)) c.roots.push(r.root)
      // a sync lstat costs a few µs, a thread-pool round trip tens (see @clara/shared/walk-sync)
      let m: Member
      try {
        m = memberOf(r)
      } catch (err) {
        const e = err as NodeJS.ErrnoException
        await onProblem({ kind: 'error', item: String(r.path), message: e.message, code: e.code }, 'stat')
        continue
      }
      if (m.entry.kind === 'special') await onProblem({ kind: 'warning', item: m.name, message: skipMessage(m.entry) }, 'stat')
      else c.members.push(m)
      continue
    }
    c.reports.get(rec.type)?.push(rec)
    if (rec.type === 'error') c.upstream.push(rec)
    await pass(rec)
  }
  return c
}

/** `root/` as bytes, per root (records name a handful of roots) */
const rootPrefixes = new Map<string, Buffer>()

function memberOf(r: FileRecord): Member {
  if (typeof r.root !== 'string' || typeof r.path !== 'string') throw Object.assign(new Error('file record without root and path'), { code: 'EBADRECORD' })
  const rel = fieldBytes(r.path, r.path_b64)
  const name = rel.toString('utf8')
  const segs = name.split('/')
  if (path.isAbsolute(r.path) || segs.some((s) => s === '..' || s === '.' || s === '')) {
    throw Object.assign(new Error(`${r.path}: not a plain relative path`), { code: 'EBADRECORD' })
  }
  let prefix = rootPrefixes.get(r.root)
  if (!prefix) rootPrefixes.set(r.root, (prefix = Buffer.from(path.resolve(r.root) + '/')))
  const abs = Buffer.concat([prefix, rel])
  try {
    return { name, nameBytes: rel, entry: statEntrySync(abs, rel) }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw Object.assign(new Error(`${r.path}: ${e.code === 'ENOENT' ? 'vanished' : 'cannot be read'} (${e.code})`), { code: e.code })
  }
}

export interface WalkOptions {
  exclude: string[]
  /** keep directory entries (snapshots keep empty folders; shards hold files only) */
  dirs: boolean
}

/** Walk each root; missing roots are recorded, specials are skipped with a warning. */
export async function collectFromRoots(specs: RootSpec[], opts: WalkOptions, onProblem: OnProblem): Promise<Collected> {
  const c = empty()
  const skip = excluder(opts.exclude)
  for (const spec of specs) {
    c.roots.push(spec.dir)
    const st = await fsp.stat(spec.dir).catch(() => null)
    if (!st?.isDirectory()) {
      c.missing_roots.push(spec.dir)
      await onProblem({ kind: 'warning', item: spec.dir, message: 'root is missing (nothing archived from it)', code: 'ENOENT' }, 'walk')
      continue
    }
    const errors: Problem[] = []
    const onError = (rel: string, err: NodeJS.ErrnoException) => void errors.push({ kind: 'error', item: rel, message: `${rel}: cannot be read (${err.code})`, code: err.code })
    for (const e of walkTreeSync(spec.dir, { exclude: (rel) => skip(rel), onError })) {
      if (e.kind === 'dir' && !opts.dirs) continue
      const nameBytes = archiveName(spec.prefix, e.relBytes)
      const name = nameBytes.toString('utf8')
      if (e.kind === 'special') {
        await onProblem({ kind: 'warning', item: name, message: skipMessage(e) }, 'walk')
        continue
      }
      c.members.push({ name, nameBytes, entry: e })
    }
    for (const p of errors) await onProblem(p, 'walk')
    if (opts.dirs && spec.prefix) c.members.push(...(await prefixDirs(spec)))
  }
  return c
}

/** Directory entries for the prefix itself (e.g. `clara_content/`), so it keeps the root's mtime. */
async function prefixDirs(spec: RootSpec): Promise<Member[]> {
  const nameBytes = Buffer.from(spec.prefix)
  const entry = statEntrySync(Buffer.from(spec.dir), nameBytes)
  return [{ name: spec.prefix, nameBytes, entry }]
}
