/** What reading one domain of a run gives: its units and what is wrong with its index. */
import type { IndexEntry } from './index-check.js'
import type { Unit } from './model.js'

export interface DomainScan {
  domain: string
  kind: 'units' | 'shards' | 'db' | 'files'
  units: Unit[]
  /** null when the index is missing or unreadable */
  indexEntries: IndexEntry[] | null
  indexProblems: string[]
  /** shard domains: index.json group info (restore_to per group) */
  groups?: Record<string, any>
  /** extra documents the domain holds (e.g. audio_cache/orm_db/db_metadata.json) */
  extra?: Record<string, unknown>
}

/** The folders each kind of domain is read as; any other folder is read by its contents. */
export const DOMAIN_KINDS: Record<string, DomainScan['kind']> = {
  source_exports: 'units',
  compiled_exports: 'units',
  legacy_zips: 'units',
  media: 'units',
  audio_cache: 'shards',
  snapshots: 'shards',
  db: 'db',
  infra: 'files',
}
