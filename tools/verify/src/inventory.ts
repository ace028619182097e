/**
 * Every file the run can put back, as `$CLARA`-relative paths: zip members mapped through their
 * unit's restore mapping (metadata.json `archives[].restore`), and shard members under their
 * group's `restore_to`. The reference check looks DB paths up here. DB paths are text, so a member
 * whose name (or restore target) is not UTF-8 can be named by no row: such members are left out,
 * never matched through a lossy decode.
 */
import { isUtf8 } from 'node:buffer'
import path from 'node:path'
import { ZipReader } from '@clara/shared/zip-reader'
import type { DomainScan } from './domain-scan.js'
import { keyBytes } from './member-name.js'

type Mapping = { prefix?: string; path?: string; path_b64?: string; to: string; to_b64?: string }

/** Where a member (UTF-8 text) goes back to, or null when no mapping covers it or its target is not UTF-8 text. */
export function restoredPath(member: string, restore: Mapping[]): string | null {
  for (const r of restore) {
    if (r.path !== undefined) {
      // a path_b64 member is not UTF-8, so it is never this (UTF-8) member
      if (r.path_b64 === undefined && member === r.path) return r.to_b64 === undefined ? r.to : null
      continue
    }
    const prefix = r.prefix ?? ''
    if (member.startsWith(prefix) && member.length > prefix.length) return r.to_b64 === undefined ? path.posix.join(r.to, member.slice(prefix.length)) : null
  }
  return null
}

/** The zip's member names that are UTF-8 (path_b64 marks the others). */
async function zipNames(file: string): Promise<string[]> {
  try {
    const z = await ZipReader.open(file)
    await z.close()
    return z.entries.filter((e) => e.kind !== 'dir' && e.path_b64 === undefined).map((e) => e.name)
  } catch {
    return []
  }
}

export interface Inventory {
  paths: Set<string>
  /** zips that could not be listed (encrypted ones included) */
  unreadable: string[]
}

export async function buildInventory(scans: DomainScan[]): Promise<Inventory> {
  const inv: Inventory = { paths: new Set(), unreadable: [] }
  for (const s of scans) {
    for (const u of s.units) {
      for (const a of u.artifacts) {
        if (a.kind === 'zip') {
          const spec = (u.meta?.archives ?? []).find((x: any) => typeof x?.path === 'string' && a.rel.endsWith(x.path))
          const restore: Mapping[] = Array.isArray(spec?.restore) ? spec.restore : []
          if (!restore.length) continue
          if (a.encrypted) {
            inv.unreadable.push(a.rel)
            continue
          }
          for (const m of await zipNames(a.abs)) {
            const p = restoredPath(m, restore)
            if (p) inv.paths.add(p)
          }
        } else if (a.members) {
          const group = s.groups?.[String(u.meta?.group ?? '')]
          const to = typeof group?.restore_to === 'string' ? group.restore_to.replace(/\/+$/, '') : ''
          for (const [key, x] of a.members) {
            const bytes = keyBytes(key)
            if (x.kind === 'dir' || !isUtf8(bytes)) continue
            const m = bytes.toString('utf8')
            inv.paths.add(to ? path.posix.join(to, m) : m)
          }
        }
      }
    }
  }
  return inv
}
