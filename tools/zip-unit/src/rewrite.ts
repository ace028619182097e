/** Rewrites of references inside text members: regex replace with `${group}` templates, plus copies to bring in. */
import path from 'node:path'
import type { Rewrite } from '@clara/shared/records'
import { UnitError } from './collect.js'

export interface CompiledRewrite {
  files: RegExp
  pattern: RegExp
  replace: string
  copy?: { from: string; to: string }
  lookup?: Rewrite['lookup']
  report?: string
}

/** A file a rewrite wants inside the archive: `to` is the archive path, normalised. */
export interface CopyRef {
  /** the rewritten member */
  member: string
  /** the matched text */
  reference: string
  from: string
  to: string
  /** why `to` is unusable (escapes the archive), or why the reference cannot be resolved */
  bad?: string
}

/** A match a `report` rewrite left as it was. */
export interface ReportRef {
  member: string
  reference: string
  reason: string
}

function regex(src: string, flags: string, what: string): RegExp {
  try {
    return new RegExp(src, flags)
  } catch (err) {
    throw new UnitError(`bad rewrite ${what} /${src}/: ${(err as Error).message}`, 'EBADUNIT')
  }
}

/** Compile a spec's rewrites (a bad regex is the unit's error). */
export function compileRewrites(rws: Rewrite[] | undefined): CompiledRewrite[] {
  return (rws ?? []).map((r) => ({
    files: regex(r.files, '', 'files'),
    pattern: regex(r.pattern, 'g', 'pattern'),
    replace: r.replace ?? '',
    copy: r.copy,
    lookup: r.lookup,
    report: r.report,
  }))
}

/** The rewrites that apply to a member path. */
export function rewritesFor(rws: CompiledRewrite[], memberPath: string): CompiledRewrite[] {
  return rws.filter((r) => r.files.test(memberPath))
}

/** Decode %XX escapes; a malformed escape leaves the text as it was. */
function urlDecode(v: string): string {
  try {
    return decodeURIComponent(v)
  } catch {
    return v
  }
}

/**
 * Expand `${name}` (named group) and `${1}` (numbered group); `$$` is a literal `$`.
 * `${name:url}` URL-decodes the value (for file names taken from URLs, e.g. `old%20norse`).
 */
export function expand(template: string, match: RegExpExecArray | string[], groups: Record<string, string | undefined> | undefined): string {
  return template.replace(/\$\$|\$\{(\w+)(:url)?\}/g, (all, key: string | undefined, mod: string | undefined) => {
    if (all === '$$') return '$'
    const v = /^\d+$/.test(key!) ? (match[Number(key)] ?? '') : (groups?.[key!] ?? '')
    return mod ? urlDecode(v) : v
  })
}

/** Where a copy lands: `to` is relative to the rewritten member's folder. */
export function copyTarget(memberPath: string, to: string): { to: string; bad?: string } {
  if (to.startsWith('/')) return { to, bad: 'absolute target path' }
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(memberPath), to))
  if (joined === '..' || joined.startsWith('../') || joined === '.') return { to: joined, bad: 'target outside the archive' }
  return { to: joined }
}

/** Apply rewrites to one member's text; returns the new text, the copies it asks for and the matches it reports. */
export function rewriteText(text: string, memberPath: string, rws: CompiledRewrite[]): { text: string; copies: CopyRef[]; reported: ReportRef[] } {
  const copies: CopyRef[] = []
  const reported: ReportRef[] = []
  for (const r of rws) {
    text = text.replace(r.pattern, (...args: unknown[]) => {
      const last = args[args.length - 1]
      let groups = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined
      const nums = groups ? args.length - 3 : args.length - 2
      const match = args.slice(0, nums).map((x) => (x === undefined ? '' : String(x)))
      if (r.report !== undefined) {
        reported.push({ member: memberPath, reference: match[0], reason: r.report })
        return match[0]
      }
      if (r.lookup) {
        const key = groups?.[r.lookup.group] ?? ''
        const hit = Object.prototype.hasOwnProperty.call(r.lookup.table, key) ? r.lookup.table[key] : undefined
        if (!hit) {
          copies.push({ member: memberPath, reference: match[0], from: '', to: '', bad: `${r.lookup.missing} (${r.lookup.group} ${key})` })
          return match[0]
        }
        groups = { ...groups, ...hit }
      }
      if (r.copy) {
        const from = expand(r.copy.from, match, groups)
        const t = copyTarget(memberPath, expand(r.copy.to, match, groups))
        copies.push({ member: memberPath, reference: match[0], from, ...t })
      }
      return expand(r.replace, match, groups)
    })
    r.pattern.lastIndex = 0
  }
  return { text, copies, reported }
}
