/**
 * Every file the run can put back, as `$CLARA`-relative paths: zip members mapped through their
 * unit's restore mapping (metadata.json `archives[].restore`), and shard members under their
 * group's `restore_to`. The reference check looks DB paths up here.
 */
import path from 'node:path'
import { ZipReader } from '@clara/shared/zip-reader'
import type { DomainScan } from './domain-scan.js'

type Mapping = { prefix?: string; path?: string; to: string }

/** Where a member goes back to, or null when no mapping covers it. */
export function restoredPath(member: string, restore: Mapping[]): string | null {
  for (const r of restore) {
    if (r.path !== undefined) {
      if (member === r.path) return r.to
      continue
    }
    const prefix = r.prefix ?? ''
    if (member.startsWith(prefix) && member.length > prefix.length) return path.posix.join(r.to, member.slice(prefix.length))
  }
  return null
}

async function zipNames(file: string): Promise<string[]> {
  try {
    const z = await ZipReader.open(file)
    await z.close()
    return z.entries.filter((e) => e.kind !== 'dir').map((e) => e.name)
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
          for (const [m, x] of a.members) if (x.kind !== 'dir') inv.paths.add(to ? path.posix.join(to, m) : m)
        }
      }
    }
  }
  return inv
}
