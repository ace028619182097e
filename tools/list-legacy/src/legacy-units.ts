/**
 * One unit per top-level directory of a legacy root (domain `legacy_zips`, archive `legacy`,
 * restored to `LARA_legacy/<name>`). Loose top-level files are data too: they share one unit.
 */
import { promises as fsp } from 'node:fs'
import { byteNameId } from '@clara/shared/names'
import type { UnitRecord, UnitSource, WarningRecord } from '@clara/shared/records'
import { isUtf8 } from '@clara/shared/walk'
import type { LegacyRoot } from './legacy-root.js'

export const LEGACY_DOMAIN = 'legacy_zips'
/** The unit of a root's loose top-level files (a leading `_` keeps it apart from item names in practice). */
export const LOOSE_UNIT = '_loose_files'

/**
 * The units of one root. Names are read as bytes: a folder whose name is not valid UTF-8 is a unit
 * all the same (`dir_b64`/`restore_to_b64`, id `<name with _>~<hash>`); a loose file with such a
 * name is a source by its bytes (`file_b64`/`path_b64`/`restore_to_b64`), listed in `files_b64`.
 */
export async function legacyUnits(root: LegacyRoot, taken: Set<string>): Promise<(UnitRecord | WarningRecord)[]> {
  const entries = (await fsp.readdir(root.dir, { withFileTypes: true, encoding: 'buffer' })).sort((a, b) => Buffer.compare(a.name, b.name))
  const out: (UnitRecord | WarningRecord)[] = []
  const loose: UnitSource[] = []
  for (const e of entries) {
    const text = isUtf8(e.name) ? e.name.toString() : null
    const abs = Buffer.concat([Buffer.from(`${root.dir}/`), e.name])
    const restore = Buffer.concat([Buffer.from(`${root.restoreBase}/`), e.name])
    if (e.isDirectory()) {
      const st = await fsp.lstat(abs)
      const meta = { name: e.name.toString(), ...(text === null ? { name_b64: e.name.toString('base64') } : {}), root: root.restoreBase, mtime: new Date(st.mtimeMs).toISOString() }
      const source: UnitSource = text === null
        ? { dir_b64: abs.toString('base64'), prefix: '', restore_to_b64: restore.toString('base64') }
        : { dir: abs.toString(), prefix: '', restore_to: restore.toString() }
      out.push(unit(uniqueName(text ?? byteNameId(e.name), root, taken), [source], meta))
    } else if (e.isFile() || e.isSymbolicLink()) {
      loose.push(text === null
        ? { file_b64: abs.toString('base64'), path_b64: e.name.toString('base64'), restore_to_b64: restore.toString('base64') }
        : { file: abs.toString(), path: text, restore_to: restore.toString() })
    } else {
      out.push({ type: 'warning', during: 'list', item: restore.toString(), domain: LEGACY_DOMAIN, message: 'not archived: not a file or directory' })
    }
  }
  if (loose.length) out.push(unit(uniqueName(LOOSE_UNIT, root, taken), loose, looseMetadata(loose, root)))
  return out
}

/** `files` names the loose files (lossy text for a name that is not UTF-8); `files_b64` holds the bytes of those names, when there are any. */
function looseMetadata(loose: UnitSource[], root: LegacyRoot): Record<string, unknown> {
  const files = loose.map((s) => s.path ?? Buffer.from(s.path_b64!, 'base64').toString())
  const bytes = loose.flatMap((s) => (s.path_b64 === undefined ? [] : [s.path_b64]))
  return { name: LOOSE_UNIT, root: root.restoreBase, files, ...(bytes.length ? { files_b64: bytes } : {}) }
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
