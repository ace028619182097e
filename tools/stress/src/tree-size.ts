/** How many bytes a tree holds (regular files, temp files included), tolerant of entries vanishing under it. */
import fs from 'node:fs'
import path from 'node:path'

export function treeBytes(root: string): number {
  let total = 0
  let names: string[]
  try {
    names = fs.readdirSync(root)
  } catch {
    return 0
  }
  for (const n of names) {
    const p = path.join(root, n)
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      continue
    }
    if (st.isFile()) total += st.size
    else if (st.isDirectory()) total += treeBytes(p)
  }
  return total
}

/** How many temp files or stage folders (`.<name>….tmp`) lie under a tree: evidence that a kill landed mid-write. */
export function tempFiles(root: string): number {
  let n = 0
  let names: fs.Dirent[]
  try {
    names = fs.readdirSync(root, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const d of names) {
    if (d.name.startsWith('.') && d.name.endsWith('.tmp')) n++
    else if (d.isDirectory()) n += tempFiles(path.join(root, d.name))
  }
  return n
}
