/** What is on disk in a domain: entries of a folder, and all files below it (temp files left out). */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { isTempName } from '@clara/shared/atomic'

export interface DirEntry {
  name: string
  dir: boolean
  file: boolean
  size: number
}

/** The folder's entries, sorted; [] when it does not exist. Temp files are left to the temp-file check. */
export async function listDir(dir: string): Promise<DirEntry[]> {
  const names = await fsp.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [] as string[]
    throw err
  })
  const out: DirEntry[] = []
  for (const name of names.sort()) {
    if (isTempName(name)) continue
    const st = await fsp.stat(path.join(dir, name)).catch(() => null)
    out.push({ name, dir: Boolean(st?.isDirectory()), file: Boolean(st?.isFile()), size: st?.size ?? -1 })
  }
  return out
}

/** Every non-temp file below `dir`, as POSIX paths relative to it. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await listDir(dir)) {
    if (e.dir) out.push(...(await listFiles(path.join(dir, e.name), `${prefix}${e.name}/`)))
    else out.push(prefix + e.name)
  }
  return out
}

/** The size of a file, or -1 when it is not a regular file. */
export async function fileSize(abs: string): Promise<number> {
  const st = await fsp.stat(abs).catch(() => null)
  return st?.isFile() ? st.size : -1
}

export async function exists(abs: string): Promise<boolean> {
  return fsp.access(abs).then(() => true, () => false)
}
