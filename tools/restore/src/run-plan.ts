/**
 * What a run holds and where each piece goes back: zip units (source, compiled, legacy, media)
 * from their metadata.json restore mappings, audio shards and snapshots from clara-shard's
 * index.json, the retired audio SQLite files, and infra. Read-only on the run.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { AUDIO_FOLDER } from '@clara/clara-model/data-folders'
import { CONTENT_ZIPS_FIELD, isContentZipType, type ContentZipType } from '@clara/clara-model/content-zip'
import { AUDIO_DB_DIR, INFRA_DIR } from './clara-paths.js'
import { readJson } from '@clara/shared/read-json'
import type { RestoreSpec } from './mapping.js'
import { restoreTargetProblem } from '@clara/clara-model/restore-places'
import { unitProblem } from './targets.js'

export type Format = 'zip' | 'tar' | 'tgz' | 'file'
export type DomainName = 'db' | 'compiled' | 'source' | 'legacy' | 'audio' | 'media' | 'snapshots' | 'infra'
export const DOMAIN_NAMES: DomainName[] = ['db', 'compiled', 'source', 'legacy', 'audio', 'media', 'snapshots', 'infra']

export interface Artifact {
  /** run-relative */
  path: string
  abs: string
  sha256: string
  format: Format
  specs: RestoreSpec[]
}

export interface RestoreUnit {
  domain: string
  unit: string
  group: DomainName
  artifacts: Artifact[]
  /** archives that share one root (shards, snapshots): merged file by file */
  merge?: boolean
  /** a SQLite file: integrity-checked before it is put in place */
  sqlite?: boolean
  /** why the unit is refused before anything is written (an unsafe target, an artifact that is not a file of the run) */
  refusal?: string
  /**
   * A compiled unit: the text types whose rendered dir held its content zip when the backup was
   * made (metadata.json `content_zips`); undefined when the backup did not record it (an older run).
   */
  contentZips?: ContentZipType[]
}

const ZIP_DOMAINS: [DomainName, string][] = [['compiled', 'compiled_exports'], ['source', 'source_exports'], ['legacy', 'legacy_zips'], ['media', 'media']]

interface UnitMeta {
  unit?: string
  archives?: { path: string; sha256: string; restore?: RestoreSpec[] }[]
  [CONTENT_ZIPS_FIELD]?: unknown
}

/** The content zips a compiled unit's metadata lists (anything but a list of names: not recorded). */
function contentZipsOf(meta: UnitMeta): ContentZipType[] | undefined {
  const v = meta[CONTENT_ZIPS_FIELD]
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) return undefined
  return v.filter(isContentZipType)
}

async function zipUnits(run: string, group: DomainName, domain: string): Promise<RestoreUnit[]> {
  const dir = path.join(run, domain)
  const names = (await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name).sort()
  // read side by side (each a round trip through the thread pool), kept in name order
  const read = await Promise.all(names.map(async (name): Promise<RestoreUnit | null> => {
    let meta: UnitMeta | null
    try {
      meta = await readJson<UnitMeta>(path.join(dir, name, 'metadata.json'))
    } catch (err) {
      // a metadata.json that is not a readable file refuses its unit alone
      return { domain, unit: name, group, artifacts: [], refusal: `metadata.json: ${(err as Error).message}` }
    }
    if (!meta?.archives) return null
    if (!Array.isArray(meta.archives)) return { domain, unit: name, group, artifacts: [], refusal: 'metadata.json: archives is not a list' }
    const artifacts = meta.archives.map((a) => ({ path: a.path, abs: path.join(run, a.path), sha256: a.sha256, format: 'zip' as Format, specs: a.restore ?? [] }))
    const zips = group === 'compiled' ? contentZipsOf(meta) : undefined
    return { domain, unit: meta.unit ?? name, group, artifacts, ...(zips ? { contentZips: zips } : {}) }
  }))
  return read.filter((u): u is RestoreUnit => u !== null)
}

interface ShardIndex {
  groups?: Record<string, { restore_to?: string }>
  shards?: { name: string; group: string; path: string; sha256: string; compression?: string }[]
}

async function shardUnits(run: string, group: DomainName, domain: string, fallback: string | null): Promise<RestoreUnit[]> {
  const index = await readJson<ShardIndex>(path.join(run, domain, 'index.json'))
  const out: RestoreUnit[] = []
  for (const s of index?.shards ?? []) {
    const to = index?.groups?.[s.group]?.restore_to ?? fallback
    if (to === null) continue
    const format: Format = s.compression === 'gzip' || /\.(tgz|tar\.gz)$/.test(s.path) ? 'tgz' : 'tar'
    const rel = `${domain}/${s.path}`
    out.push({ domain, unit: s.name, group, merge: true, artifacts: [{ path: rel, abs: path.join(run, rel), sha256: s.sha256, format, specs: [{ prefix: '', to }] }] })
  }
  return out
}

interface SqliteFiles {
  files?: { name: string; source?: string; present: boolean; sha256?: string }[]
}

/** The retired audio SQLite files go back where they were (relative to the old root), else into audio/. */
async function audioDbUnits(run: string, oldRoot: string | null): Promise<RestoreUnit[]> {
  const doc = await readJson<SqliteFiles>(path.join(run, 'audio_cache', 'orm_db', 'db_metadata.json'))
  return (doc?.files ?? []).filter((f) => f.present && f.sha256).map((f) => {
    const rel = `audio_cache/orm_db/${f.name}`
    const where = oldRoot && f.source && f.source.startsWith(oldRoot + '/') ? f.source.slice(oldRoot.length + 1) : null
    // back where it was when that is a data place (audio/…), else into audio/
    const inRoot = where && !restoreTargetProblem(where) ? where : `${AUDIO_DB_DIR}/${f.name}`
    return { domain: 'audio_cache', unit: `orm_db/${f.name}`, group: 'audio' as DomainName, sqlite: true, artifacts: [{ path: rel, abs: path.join(run, rel), sha256: f.sha256!, format: 'file' as Format, specs: [{ path: f.name, to: inRoot }] }] }
  })
}

interface InfraIndex {
  entries?: { name: string; path: string; sha256: string }[]
}

async function infraUnits(run: string): Promise<RestoreUnit[]> {
  const index = await readJson<InfraIndex>(path.join(run, 'infra', 'index.json'))
  if (!index?.entries?.length) return []
  const artifacts = index.entries.map((e) => ({ path: e.path, abs: path.join(run, e.path), sha256: e.sha256, format: 'file' as Format, specs: [{ path: e.name, to: `${INFRA_DIR}/${e.name}` }] }))
  return [{ domain: 'infra', unit: 'infra', group: 'infra', artifacts }]
}

/** A unit the backup left out on purpose (a secret unit of a run that did not encrypt): the admin provides it. */
export interface ToProvide {
  domain: string
  unit: string
  reason: string
  /** where it belongs, relative to the C-LARA root */
  restore_to: string[]
}

/** The units the selected domains' index.json list as `not_stored` (clara-index, from clara-zip-unit's not_stored records). */
export async function notStoredUnits(run: string, domains: Set<DomainName>): Promise<ToProvide[]> {
  const out: ToProvide[] = []
  for (const [group, domain] of ZIP_DOMAINS) {
    if (!domains.has(group)) continue
    const index = await readJson<{ not_stored?: unknown }>(path.join(run, domain, 'index.json')).catch(() => null)
    const list = Array.isArray(index?.not_stored) ? (index.not_stored as Partial<ToProvide>[]) : []
    for (const n of list) out.push({ domain, unit: String(n.unit), reason: String(n.reason ?? ''), restore_to: Array.isArray(n.restore_to) ? n.restore_to.map(String) : [] })
  }
  return out
}

/** Every unit of the selected domains, in restore order (compiled first, so pages are served at once). */
export async function planUnits(run: string, oldRoot: string | null, domains: Set<DomainName>): Promise<RestoreUnit[]> {
  const out: RestoreUnit[] = []
  for (const [group, domain] of ZIP_DOMAINS) if (domains.has(group)) out.push(...(await zipUnits(run, group, domain)))
  if (domains.has('audio')) out.push(...(await shardUnits(run, 'audio', 'audio_cache', AUDIO_FOLDER)), ...(await audioDbUnits(run, oldRoot)))
  if (domains.has('snapshots')) out.push(...(await shardUnits(run, 'snapshots', 'snapshots', null)))
  if (domains.has('infra')) out.push(...(await infraUnits(run)))
  for (const u of out) {
    const why = unitProblem(run, u)
    if (why) u.refusal = why
  }
  return out
}
