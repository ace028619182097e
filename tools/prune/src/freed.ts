/**
 * How many bytes deleting some runs frees: a file's bytes come back only when every one of its
 * hard links is inside the deleted set (incremental runs share unchanged files).
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'

interface Inode {
  size: number
  nlink: number
  seen: number
}

async function visit(p: string, inodes: Map<string, Inode>): Promise<void> {
  const st = await fsp.lstat(p, { bigint: true })
  if (st.isDirectory()) {
    for (const name of await fsp.readdir(p)) await visit(path.join(p, name), inodes)
    return
  }
  const key = `${st.dev}:${st.ino}`
  const cur = inodes.get(key)
  if (cur) cur.seen++
  else inodes.set(key, { size: Number(st.size), nlink: Number(st.nlink), seen: 1 })
}

/** Bytes that deleting all of `dirs` gives back (file data only, not directory blocks). */
export async function freedBytes(dirs: string[]): Promise<number> {
  const inodes = new Map<string, Inode>()
  for (const d of dirs) await visit(d, inodes)
  let n = 0
  for (const i of inodes.values()) if (i.seen >= i.nlink) n += i.size
  return n
}
