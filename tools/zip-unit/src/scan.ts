/**
 * The rewrite pass over an archive's members, before anything is written (copies change the
 * member list, and the fingerprint needs it): rewritten text, copies resolved or unresolved.
 */
import fs from 'node:fs'
import { sha256 } from '@clara/shared/hash'
import { readSourceSync, type FaultHook } from '@clara/shared/source-file'
import { isUtf8, type TreeEntry } from '@clara/shared/walk'
import { statEntrySync } from '@clara/shared/walk-sync'
import { addMember, display, type Member } from './collect.js'
import { rewriteText, rewritesFor, type CompiledRewrite, type CopyRef, type ReportRef } from './rewrite.js'

export interface Rewritten {
  archive: string
  path: string
  sha256_before: string
  sha256_after: string
}

/** A match a `report` rewrite left unchanged, and why. */
export interface Reported {
  archive: string
  member: string
  reference: string
  reason: string
}

export interface Unresolved {
  archive: string
  member: string
  reference: string
  from: string
  to: string
  reason: string
}

/** Rewrite one member's bytes; text that is not UTF-8 is handled as latin1, so other bytes survive exactly. */
export function applyRewrites(data: Buffer, memberPath: string, rws: CompiledRewrite[]): { data: Buffer; copies: CopyRef[]; reported: ReportRef[] } {
  const enc = isUtf8(data) ? 'utf8' : 'latin1'
  const r = rewriteText(data.toString(enc), memberPath, rws)
  return { data: Buffer.from(r.text, enc), copies: r.copies, reported: r.reported }
}

export interface ScanState {
  budget: number
  fault?: FaultHook
}

/** Read and rewrite the members a rewrite applies to; keep results in memory while the budget lasts. */
export function scanRewrites(archive: string, members: Member[], rws: CompiledRewrite[], st: ScanState): { rewritten: Rewritten[]; copies: CopyRef[]; reported: Reported[] } {
  const rewritten: Rewritten[] = []
  const copies: CopyRef[] = []
  const reported: Reported[] = []
  if (!rws.length) return { rewritten, copies, reported }
  for (const m of members) {
    if (m.kind !== 'file' || !m.entry) continue
    const path = display(m.name)
    const apply = rewritesFor(rws, path)
    if (!apply.length) continue
    const before = readSourceSync(m.entry, { fault: st.fault })
    const r = applyRewrites(before, path, apply)
    copies.push(...r.copies)
    reported.push(...r.reported.map((x) => ({ archive, ...x })))
    if (r.data.equals(before)) continue
    const rec = { archive, path, sha256_before: sha256(before), sha256_after: sha256(r.data) }
    rewritten.push(rec)
    if (st.budget >= r.data.length) {
      st.budget -= r.data.length
      m.data = r.data
    }
    m.size = r.data.length
    m.rewrite = { sha256_after: rec.sha256_after, rws: apply }
  }
  return { rewritten, copies, reported }
}

/** A copy that became a member: its archive path and the source path the reference named (before realpath). */
export interface CopiedMember {
  path: string
  from: string
}

/** The member a copy of `from` to `to` adds, or why it cannot be added. */
export async function copyMember(from: string, to: string): Promise<Member | string> {
  if (!from.startsWith('/')) return 'source path is not absolute'
  let e: TreeEntry | null = null
  try {
    e = statEntrySync(Buffer.from(fs.realpathSync.native(from)), Buffer.from(to))
  } catch {
    e = null
  }
  if (!e) return 'missing'
  if (e.kind !== 'file') return `not a regular file (${e.special ?? e.kind})`
  return { name: Buffer.from(to), kind: 'file', entry: e, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode, copied: true }
}

/** Add the copies rewrites asked for: dedupe identical ones, keep members already present, list the rest as unresolved. */
export async function resolveCopies(archive: string, copies: CopyRef[], byName: Map<string, Member>): Promise<{ unresolved: Unresolved[]; copied: CopiedMember[] }> {
  const unresolved: Unresolved[] = []
  const copied: CopiedMember[] = []
  const copiedFrom = new Map<string, string>()
  const miss = (c: CopyRef, reason: string) => unresolved.push({ archive, member: c.member, reference: c.reference, from: c.from, to: c.to, reason })
  for (const c of copies) {
    if (c.bad) {
      miss(c, c.bad)
      continue
    }
    const prev = copiedFrom.get(c.to)
    if (prev !== undefined) {
      if (prev !== c.from) miss(c, `conflict: ${c.to} is already copied from ${prev}`)
      continue
    }
    const present = byName.get(c.to)
    if (present && !present.copied) continue // the archive already holds it
    copiedFrom.set(c.to, c.from)
    const m = await copyMember(c.from, c.to)
    if (typeof m === 'string') miss(c, m)
    else {
      addMember(byName, m)
      copied.push({ path: c.to, from: c.from })
    }
  }
  return { unresolved, copied }
}
