/**
 * A unit's fingerprint for incremental runs (issue 5): the sorted member paths, kinds, sizes and
 * mtimes of every archive, the archive specs, the metadata, the record's `fingerprint_extra`, and
 * the options that change the bytes. Equal fingerprints mean the previous artifacts can be reused.
 */
import { sha256 } from '@clara/shared/hash'
import type { ArchiveSpec, UnitRecord } from '@clara/shared/records'
import type { Member } from './collect.js'

export interface FingerprintInput {
  rec: UnitRecord
  archives: { spec: ArchiveSpec; members: Member[] }[]
  level: number
  checksums: boolean
}

function memberKey(m: Member): unknown[] {
  const e = m.entry
  return [m.name.toString('base64'), m.kind, e ? e.size : m.size, e ? e.mtimeMs : m.mtimeMs, e?.mode ?? m.mode, e?.target ?? null, ...(e?.target_b64 !== undefined ? [e.target_b64] : [])]
}

/** sha256 over a canonical JSON form of everything that decides the unit's bytes. */
export function fingerprint(fi: FingerprintInput): string {
  const doc = {
    v: 1,
    level: fi.level,
    checksums: fi.checksums,
    extra: fi.rec.fingerprint_extra ?? null,
    metadata: fi.rec.metadata ?? null,
    archives: fi.archives.map((a) => ({ spec: a.spec, members: a.members.map(memberKey) })),
  }
  return sha256(JSON.stringify(doc))
}
