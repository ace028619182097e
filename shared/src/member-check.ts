/**
 * The member checks every archive reader applies, the same for clara-restore (which skips what
 * fails them) and clara-verify (which reports it): a member whose own name or kind is unsafe,
 * a member whose path passes through a symlink of its unit, a hard link that leaves its archive,
 * and setuid/setgid/sticky bits. Names are raw bytes; paths are compared by their components once
 * `.` and empty components are dropped (so `./l1/x` is `l1/x`), never as the text they came as.
 * Symlink targets are not judged: a link is restored as it was, wherever it points (writing never
 * follows one: see safe-tree.ts).
 */

export type MemberType = 'file' | 'dir' | 'symlink' | 'link' | 'fifo' | 'character-device' | 'block-device' | string

export interface MemberInfo {
  /** the name as stored (a folder's trailing `/` allowed) */
  name: Buffer
  type: MemberType
  /** permission bits, 07777 */
  mode: number
  /** the member a hard link names (exact bytes) */
  linkname?: Buffer | null
}

/** setuid, setgid, sticky */
export const SPECIAL_MODE_BITS = 0o7000

/** A member's path below its archive root: components joined by `/` as latin1 text (one character per byte: exact). */
export type MemberKey = string

export type NameCheck = { parts: Buffer[]; key: MemberKey } | { unsafe: string }

/** Why a name is unsafe (absolute, `..`, drive letter, NUL, backslash), else its components. */
export function memberPath(name: Buffer): NameCheck {
  if (name.length === 0) return { unsafe: 'empty name' }
  if (name.includes(0)) return { unsafe: 'NUL byte in name' }
  if (name.includes(0x5c)) return { unsafe: 'backslash in name' }
  if (name[0] === 0x2f) return { unsafe: 'absolute path' }
  const text = name.toString('latin1')
  if (/^[A-Za-z]:/.test(text)) return { unsafe: 'drive letter' }
  const parts = text.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) return { unsafe: "'..' component" }
  return { parts: parts.map((p) => Buffer.from(p, 'latin1')), key: parts.join('/') }
}

const KINDS = new Set(['file', 'dir', 'symlink', 'link'])

/** Why a member's kind cannot be restored (a device, a FIFO, anything but a file, folder or link). */
export function unsafeType(type: MemberType): string | null {
  return KINDS.has(type) ? null : `a ${type} member`
}

/** The special bits a mode carries (0 when none). */
export const specialBits = (mode: number) => mode & SPECIAL_MODE_BITS

export type Verdict = { ok: true; parts: Buffer[]; key: MemberKey } | { ok: false; reason: string }

/**
 * One unit's members, archive after archive. `check` judges a member: its name, its kind, a path
 * through (or replacing) a symlink of the unit seen so far, a hard link to anything but a file
 * of the same archive before it. Register the unit's symlinks first with `link` where they are
 * known in advance (a zip's central directory), so a member before its link is caught as well.
 */
export class MemberPolicy {
  private links = new Set<MemberKey>()
  private files = new Set<MemberKey>()

  /** A new archive of the unit: hard links may only name files of their own archive. */
  archive(): void {
    this.files = new Set()
  }

  /** A symlink member of the unit (its own name must have passed `check`). */
  link(key: MemberKey): void {
    this.links.add(key)
  }

  /** The symlink of the unit that `key` passes through or replaces, or null. */
  through(key: MemberKey, self = true): string | null {
    if (!this.links.size || !key) return null
    const parts = key.split('/')
    for (let i = 1; i <= parts.length - (self ? 0 : 1); i++) {
      const p = parts.slice(0, i).join('/')
      if (this.links.has(p)) return i === parts.length ? `replaces the symlink ${p}` : `passes through the symlink ${p}`
    }
    return null
  }

  check(m: MemberInfo): Verdict {
    const n = memberPath(m.name)
    if ('unsafe' in n) return { ok: false, reason: n.unsafe }
    const bad = unsafeType(m.type)
    if (bad) return { ok: false, reason: bad }
    if (!n.key && m.type !== 'dir') return { ok: false, reason: 'a member that names its archive root' }
    // a symlink may stand where it was registered; nothing may lie below one
    const through = this.through(n.key, m.type !== 'symlink')
    if (through) return { ok: false, reason: through }
    if (m.type === 'link') {
      const to = memberPath(m.linkname ?? Buffer.alloc(0))
      if ('unsafe' in to) return { ok: false, reason: `hard link target: ${to.unsafe}` }
      if (!this.files.has(to.key)) return { ok: false, reason: `hard link to ${to.key}, which is not a file of its archive before it` }
    }
    if (m.type === 'file' || m.type === 'link') this.files.add(n.key)
    return { ok: true, parts: n.parts, key: n.key }
  }
}

/** A member's name for messages. */
const shownName = (b: Buffer) => b.toString('utf8')

/**
 * What restore would refuse or change in one unit's archives (each a list of members in order):
 * every member the policy fails, and every setuid/setgid/sticky bit (dropped by restore). The
 * unit's symlinks are registered first, across all its archives (and those of `siblings`, units
 * restored into the same folder), so a member is caught whatever the order (restore catches the
 * rest when it makes the links last, or merges a unit into a folder an earlier one made).
 */
export function unitMemberProblems(archives: MemberInfo[][], siblings: MemberInfo[][] = []): string[] {
  const p = new MemberPolicy()
  const out: string[] = []
  // units merged into the same folder (shards): their links are in the way too
  for (const members of [...archives, ...siblings]) {
    for (const m of members) {
      if (m.type !== 'symlink') continue
      const n = memberPath(m.name)
      if ('key' in n) p.link(n.key)
    }
  }
  for (const members of archives) {
    p.archive()
    for (const m of members) {
      const v = p.check(m)
      if (!v.ok) out.push(`member ${shownName(m.name)}: ${v.reason} (restore skips it)`)
      if (specialBits(m.mode) && m.type !== 'symlink') out.push(`member ${shownName(m.name)}: setuid/setgid/sticky mode ${m.mode.toString(8)} (restore drops those bits)`)
    }
  }
  return out
}
