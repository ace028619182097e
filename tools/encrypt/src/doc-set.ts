/**
 * The JSON documents of a run that describe its files (index.json and metadata files in the file's
 * directory and each parent up to its domain), read once, changed in memory, written back
 * atomically (mode 640, keeping the old file's group) to the run or to another directory.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { sha256 } from '@clara/shared/hash'
import { namesOf, objects } from './seal-json.js'
import { isDocName } from './select.js'

interface Loaded {
  doc: unknown
  gid: number
  changed: boolean
  /** digest of the text as read, to find index entries listing this document */
  sha256: string
  /** summed entry sizes as read (index documents) */
  bytes: number
}

/** The summed `size_bytes` of an index's entries (the elements of its top-level lists), as a manifest counts them. */
export function indexBytes(doc: unknown): number {
  const lists = Array.isArray(doc) ? [doc] : doc && typeof doc === 'object' ? Object.values(doc).filter(Array.isArray) : []
  let n = 0
  for (const list of lists) for (const e of list) if (typeof e?.size_bytes === 'number') n += e.size_bytes
  return n
}

export class DocSet {
  private docs = new Map<string, Loaded | null>()
  private listings = new Map<string, string[]>()

  constructor(private runDir: string) {}

  private async names(dir: string): Promise<string[]> {
    let names = this.listings.get(dir)
    if (!names) {
      names = (await fsp.readdir(path.join(this.runDir, dir)).catch(() => [] as string[])).filter((n) => isDocName(n) && n !== 'failures.json').sort()
      this.listings.set(dir, names)
    }
    return names
  }

  /** Documents that may describe `rel` (run-relative), nearest first; the domain index among them. */
  async docsFor(rel: string): Promise<string[]> {
    const parts = rel.split('/')
    const out: string[] = []
    for (let n = parts.length - 1; n >= 1; n--) {
      const dir = parts.slice(0, n).join('/')
      for (const name of await this.names(dir)) out.push(`${dir}/${name}`)
    }
    return out
  }

  /** The parsed document, or null when it is missing or not JSON (left alone). */
  async get(relDoc: string): Promise<unknown | null> {
    if (!this.docs.has(relDoc)) {
      const file = path.join(this.runDir, relDoc)
      try {
        const [text, st] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file)])
        const doc = JSON.parse(text)
        this.docs.set(relDoc, { doc, gid: st.gid, changed: false, sha256: sha256(text), bytes: indexBytes(doc) })
      } catch {
        this.docs.set(relDoc, null)
      }
    }
    return this.docs.get(relDoc)?.doc ?? null
  }

  changed(relDoc: string): void {
    const d = this.docs.get(relDoc)
    if (d) d.changed = true
  }

  /** Run-relative paths of the documents changed so far. */
  changedDocs(): string[] {
    return [...this.docs].filter(([, d]) => d?.changed).map(([p]) => p)
  }

  /**
   * Write every changed document under `root` (default: the run itself): metadata documents
   * first, then the domain indexes, whose entries for those documents get their new digests.
   * Returns the change of each domain index's summed entry sizes (what its manifest line must add).
   */
  async flush(root = this.runDir): Promise<Map<string, number>> {
    const isIndex = (rel: string) => rel.split('/').length === 2 && rel.endsWith('/index.json')
    const changed = [...this.docs].filter(([, d]) => d?.changed) as [string, Loaded][]
    for (const [rel, d] of changed.filter(([r]) => !isIndex(r))) {
      const w = await this.write(root, rel, d)
      const index = `${rel.split('/')[0]}/index.json`
      const names = namesOf(rel, rel.split('/')[0])
      for (const o of objects(await this.get(index))) {
        if (o.sha256 !== d.sha256 || !Object.values(o).some((v) => typeof v === 'string' && names.has(v))) continue
        Object.assign(o, { size_bytes: w.size_bytes, sha256: w.sha256 })
        this.changed(index)
      }
    }
    const deltas = new Map<string, number>()
    for (const [rel, d] of this.docs) {
      if (!d?.changed || !isIndex(rel)) continue
      await this.write(root, rel, d)
      deltas.set(rel.split('/')[0], indexBytes(d.doc) - d.bytes)
    }
    return deltas
  }

  private async write(root: string, rel: string, d: Loaded) {
    const file = path.join(root, rel)
    const w = await writeJsonAtomic(file, d.doc, { mode: 0o640 })
    await keepGroup(file, d.gid)
    return w
  }
}

/** Give `file` group `gid` (the group of what it replaced); best effort, as chgrp may be refused. */
export async function keepGroup(file: string, gid: number): Promise<void> {
  const st = await fsp.lstat(file)
  if (st.gid !== gid) await fsp.lchown(file, st.uid, gid).catch(() => {})
}
