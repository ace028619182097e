/**
 * What was live when a run was taken, to compare a restore of that run with: the data trees that
 * restore puts back byte-exact (names, kinds, modes, sizes, contents, file mtimes to the second)
 * and every table's rows. Left out by design (tools/restore/README.md): the JSON path files whose
 * values restore rewrites to the new root (`clara_content/<project>/metadata.json`,
 * `…/coherent_images_v2_project_dir/params.json`, `prompt_templates/<name>/metadata.json`), the
 * pickled texts whose old-root paths it moves (`clara_content/<project>/internalised_and_annotated_text*.pickle`,
 * checked string by string in tools/restore/test/site.ts and the round trips' kit-files.ts), folder
 * mtimes (not every archive records them), and the four path columns' contents (rewritten; their
 * row counts are compared).
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { subtreeLines } from './run-read.js'
import { tableHashes } from './restored-tree.js'

export const DATA_ROOTS = ['clara_content', 'images/image_repository_orm', 'LARA_legacy', 'audio/tts_repository_orm', 'gloss_images', 'prompt_templates']
export const PATH_TABLES = ['orm_audio_metadata', 'orm_image_metadata', 'clara_app_archivedimagemetadata', 'orm_image_gloss_metadata']
const REWRITTEN = /^[^/]+\/metadata\.json$|\/coherent_images_v2_project_dir\/params\.json$|^[^/]+\/internalised_and_annotated_text(_phonetic)?\.pickle$/

export interface Snapshot {
  trees: Map<string, string[]>
  tables: Map<string, string>
}

async function tree(root: string): Promise<string[]> {
  if (!existsSync(root)) return []
  return (await subtreeLines(root))
    .map((l) => l.split('\t'))
    .filter((f) => !REWRITTEN.test(f[5]))
    .map((f) => (f[0] === 'dir' ? [f[0], f[1], '-', ...f.slice(3)] : f).join('\t'))
}

export async function snapshot(clara: string, dbUrl: string): Promise<Snapshot> {
  const trees = new Map<string, string[]>()
  for (const r of DATA_ROOTS) trees.set(r, await tree(path.join(clara, r)))
  const tables = await tableHashes(dbUrl)
  for (const t of PATH_TABLES) if (tables.has(t)) tables.set(t, `${tables.get(t)!.split(' ')[0]} rows`)
  return { trees, tables }
}

/** Lines naming what differs between two snapshots (the live one and the restored one). */
export function diffSnapshots(live: Snapshot, restored: Snapshot, max = 15): string[] {
  const out: string[] = []
  for (const [root, want] of live.trees) {
    const got = new Set(restored.trees.get(root) ?? [])
    const wanted = new Set(want)
    for (const l of want) if (!got.has(l)) out.push(`${root}: live had ${l.replace(/\t/g, ' ')}`)
    for (const l of got) if (!wanted.has(l)) out.push(`${root}: restored has ${l.replace(/\t/g, ' ')}`)
  }
  for (const [t, v] of live.tables) if (restored.tables.get(t) !== v) out.push(`table ${t}: live ${v}, restored ${restored.tables.get(t) ?? 'missing'}`)
  for (const t of restored.tables.keys()) if (!live.tables.has(t)) out.push(`table ${t}: only in the restore`)
  return out.length > max ? [...out.slice(0, max), `… and ${out.length - max} more`] : out
}
