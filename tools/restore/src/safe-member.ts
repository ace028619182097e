/**
 * One unit's extraction state: the shared member checks (@clara/shared/member-check, the same
 * clara-verify runs), the members skipped with why, and the modes changed. A member whose own
 * name or kind is unsafe, that passes through a symlink of the unit, or that cannot be written
 * without following a link is skipped and reported; the rest of its unit restores. Bombs and
 * members lying about their size still refuse the whole unit (limits.ts).
 */
import path from 'node:path'
import { MemberPolicy, specialBits } from '@clara/shared/member-check'
import { readableName } from '@clara/shared/names'

export interface Skip {
  member: string
  reason: string
}

export class UnitExtraction {
  readonly policy = new MemberPolicy()
  readonly skipped: Skip[] = []
  /** members whose setuid/setgid/sticky bits were dropped */
  modesChanged = 0

  constructor(readonly keepSpecialModes = false) {}

  skip(name: Buffer | string, reason: string): void {
    this.skipped.push({ member: typeof name === 'string' ? name : readableName(name), reason })
  }

  /** The mode a member is written with: without setuid/setgid/sticky unless they are kept. */
  mode(m: number): number {
    if (!this.keepSpecialModes && specialBits(m)) {
      this.modesChanged++
      return m & 0o777
    }
    return m & 0o7777
  }
}

/** A placement's path below its target as components (exact bytes). */
export function partsOf(sub: Buffer): Buffer[] {
  if (!sub.length) return []
  const out: Buffer[] = []
  for (let start = 0; start <= sub.length; ) {
    const i = sub.indexOf(0x2f, start)
    const end = i < 0 ? sub.length : i
    if (end > start) out.push(sub.subarray(start, end))
    start = end + 1
  }
  return out
}

/** `rel` is one of `dirs` or lies under one (checks each ancestor: cheap for many dirs). */
export function underAny(rel: string, dirs: Set<string>): boolean {
  if (!dirs.size) return false
  if (dirs.has('')) return true
  const parts = path.posix.normalize(rel).split('/')
  for (let i = 1; i <= parts.length; i++) if (dirs.has(parts.slice(0, i).join('/'))) return true
  return false
}
