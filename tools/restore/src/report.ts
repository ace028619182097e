/** `NEWCLARA/restore_report.json`: what the restore did, what it rewrote, and the proof. */
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import type { StyleCounts } from './db-rewrite.js'
import type { Rewrite, RootInfo } from './old-roots.js'
import type { Overflow } from './preflight.js'
import type { SchemaCheck } from './schema-check.js'
import type { ToProvide } from './run-plan.js'

export const REPORT_FILE = 'restore_report.json'

export interface UnitNote {
  domain: string
  unit: string
  reason: string
  member?: string
  code?: string
}

export interface PickleCounts {
  files: number
  /** `clara_content/<iid>/<file>`: strings rewritten */
  rewritten: Record<string, number>
  failed: { file: string; message: string }[]
}

export class Report {
  started_at = new Date().toISOString()
  run: { dir: string; run_id: string | null; clara: string | null; status: string | null } = { dir: '', run_id: null, clara: null, status: null }
  to = ''
  db: Record<string, unknown> = {}
  old_roots: RootInfo[] = []
  rewrites: { db: Record<string, StyleCounts>; files: Record<string, StyleCounts>; totals: StyleCounts } = { db: {}, files: {}, totals: {} }
  preflight: { db_values: number; json_files: number; overflow: Overflow[]; schema: SchemaCheck | null } = { db_values: 0, json_files: 0, overflow: [], schema: null }
  proof: Record<string, unknown> = {}
  incidental: Record<string, number> = {}
  /** refused: whole units; members_refused: members skipped (unsafe) while the rest of their unit restored */
  units = { restored: 0, skipped: 0, refused: [] as UnitNote[], failed: [] as UnitNote[], replaced: [] as string[], members_refused: [] as UnitNote[] }
  /** archive members whose setuid/setgid/sticky bits were dropped */
  modes_changed = 0
  /** restored symlinks that point outside NEWCLARA (kept verbatim) */
  links_outside = { count: 0, links: [] as { path: string; target: string }[] }
  /** who NEWCLARA was given to (run as root) */
  owner?: { uid: number; gid: number; from: string }
  files_restored = 0
  bytes_restored = 0
  /** units the backup left out on purpose (secret, the run did not encrypt): to be provided by hand */
  to_provide: ToProvide[] = []
  prepared: string[] = []
  reformatted_json: string[] = []
  /** content zips rebuilt, config.ini merged (site-step.ts), pickles rewritten in their units' stages (staged-pickle.ts) */
  site: Record<string, unknown> & { pickles: PickleCounts } = { pickles: { files: 0, rewritten: {}, failed: [] } }
  warnings: string[] = []

  /** Count one pickled text: its strings moved into the new root, or why it was kept as it was. */
  pickle(rel: string, changed: number, error?: string): void {
    const p = this.site.pickles
    p.files++
    if (error) p.failed.push({ file: rel, message: error })
    else if (changed) p.rewritten[rel] = changed
  }

  /** Count one JSON file's rewrites. */
  json(rel: string, changes: Rewrite[], note?: { reformatted?: boolean; error?: string }): void {
    if (note?.error) this.warnings.push(`${rel}: not rewritten: ${note.error}`)
    if (note?.reformatted) this.reformatted_json.push(rel)
    if (!changes.length) return
    const c: StyleCounts = (this.rewrites.files[rel] = {})
    for (const ch of changes) {
      c[ch.style] = (c[ch.style] ?? 0) + 1
      this.rewrites.totals[ch.style] = (this.rewrites.totals[ch.style] ?? 0) + 1
    }
  }

  linksOutside(links: { path: string; target: string }[]): void {
    this.links_outside.count += links.length
    this.links_outside.links.push(...links)
  }

  /** Count the DB rewrites. */
  dbRewrites(counts: Record<string, StyleCounts>): void {
    this.rewrites.db = counts
    for (const c of Object.values(counts)) {
      for (const [k, n] of Object.entries(c)) this.rewrites.totals[k as keyof StyleCounts] = (this.rewrites.totals[k as keyof StyleCounts] ?? 0) + (n ?? 0)
    }
  }

  status(): 'complete' | 'partial' {
    return this.units.refused.length || this.units.failed.length || this.units.members_refused.length || this.proof.ok === false ? 'partial' : 'complete'
  }

  async write(root: string): Promise<string> {
    const file = path.join(root, REPORT_FILE)
    const { started_at, ...rest } = this
    await writeJsonAtomic(file, { version: 1, tool: 'clara-restore', status: this.status(), started_at, finished_at: new Date().toISOString(), ...rest })
    return file
  }
}
