/** The proof on disk: no C-LARA JSON path file under the new root still names an old root. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { CONTENT_FOLDER, PROMPT_FOLDER } from '@clara/clara-model/data-folders'
import { pathJsonFor } from './clara-paths.js'
import { jsonPathValues } from './json-rewrite.js'
import type { RootSet } from './old-roots.js'

/** The JSON path files that exist under `root`: root-relative (lossy text for a folder name that is not UTF-8) and exact. */
export async function pathJsonFiles(root: string): Promise<{ rel: string; abs: Buffer }[]> {
  const out: { rel: string; abs: Buffer }[] = []
  for (const top of [CONTENT_FOLDER, PROMPT_FOLDER]) {
    const dirs = await fsp.readdir(path.join(root, top), { withFileTypes: true, encoding: 'buffer' }).catch(() => [])
    for (const d of dirs) {
      if (!d.isDirectory()) continue
      for (const f of ['metadata.json', 'coherent_images_v2_project_dir/params.json']) {
        const rel = `${top}/${d.name.toString()}/${f}`
        const abs = Buffer.concat([Buffer.from(path.join(root, top, '/')), d.name, Buffer.from(`/${f}`)])
        if (pathJsonFor(rel) && (await fsp.stat(abs).catch(() => null))?.isFile()) out.push({ rel, abs })
      }
    }
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
}

export interface FileProof {
  files: number
  /** file → values still pointing into an old root */
  remaining: Record<string, string[]>
  unreadable: Record<string, string>
}

export async function proveFiles(root: string, roots: RootSet): Promise<FileProof> {
  const proof: FileProof = { files: 0, remaining: {}, unreadable: {} }
  for (const { rel, abs } of await pathJsonFiles(root)) {
    proof.files++
    try {
      const left = jsonPathValues(await fsp.readFile(abs, 'utf8'), pathJsonFor(rel)!).filter((v) => roots.rewrite(v, false))
      if (left.length) proof.remaining[rel] = left
    } catch (err) {
      proof.unreadable[rel] = (err as Error).message
    }
  }
  return proof
}
