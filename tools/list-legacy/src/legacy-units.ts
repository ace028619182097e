/**
 * One unit per top-level directory of a legacy root (domain `legacy_zips`, archive `legacy`,
 * restored to `LARA_legacy/<name>`). Loose top-level files are data too: they share one unit.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { UnitRecord, UnitSource, WarningRecord } from '@clara/shared/records'
import type { LegacyRoot } from './legacy-root.js'

export const LEGACY_DOMAIN = 'legacy_zips'
/** The unit of a root's loose top-level files (a leading `_` keeps it apart from item names in practice). */
export const LOOSE_UNIT = '_loose_files'

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

export async function legacyUnits(root: LegacyRoot, taken: Set<string>): Promise<(UnitRecord | WarningRecord)[]> {
  const entries = (await fsp.readdir(root.dir, { withFileTypes: true })).sort((a, b) => byBytes(a.name, b.name))
  const out: (UnitRecord | WarningRecord)[] = []
  const loose: UnitSource[] = []
  for (const e of entries) {
    const abs = path.join(root.dir, e.name)
    const restore = `${root.restoreBase}/${e.name}`
    if (e.isDirectory()) {
      const st = await fsp.lstat(abs)
      out.push(unit(uniqueName(e.name, root, taken), [{ dir: abs, prefix: '', restore_to: restore }], { name: e.name, root: root.restoreBase, mtime: new Date(st.mtimeMs).toISOString() }))
    } else if (e.isFile() || e.isSymbolicLink()) {
      loose.push({ file: abs, path: e.name, restore_to: restore })
    } else {
      out.push({ type: 'warning', during: 'list', item: restore, domain: LEGACY_DOMAIN, message: 'not archived: not a file or directory' })
    }
  }
  if (loose.length) out.push(unit(uniqueName(LOOSE_UNIT, root, taken), loose, { name: LOOSE_UNIT, root: root.restoreBase, files: loose.map((s) => s.path) }))
  return out
}

/** A second root (both spellings present) prefixes its clashing names with the root's. */
function uniqueName(name: string, root: LegacyRoot, taken: Set<string>): string {
  const n = taken.has(name) ? `${root.restoreBase.replace(/\//g, '_')}-${name}` : name
  taken.add(n)
  return n
}

function unit(name: string, sources: UnitSource[], metadata: Record<string, unknown>): UnitRecord {
  return { type: 'unit', domain: LEGACY_DOMAIN, unit: name, archives: [{ name: 'legacy', sources }], metadata }
}
