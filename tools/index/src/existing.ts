/** The domain's index.json and failures.json from an earlier pass over the same run (a resume, an --only rerun). */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import type { Failure } from './failures.js'
import type { IndexEntry } from './index-entry.js'

async function readDoc(file: string, list: string): Promise<unknown[]> {
  let text: string
  try {
    text = await fsp.readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  let doc: Record<string, unknown> | null = null
  try {
    doc = JSON.parse(text)
  } catch {
    doc = null
  }
  const items = doc?.[list]
  if (!Array.isArray(items) || doc?.version !== 1) {
    throw new ClaraError(`${file}: not a version 1 document with "${list}" (rerun with --fresh to rebuild it)`, EXIT.FATAL, 'EBADINDEX')
  }
  return items
}

export async function existingEntries(domainDir: string): Promise<IndexEntry[]> {
  return (await readDoc(path.join(domainDir, 'index.json'), 'entries')) as IndexEntry[]
}

export async function existingFailures(domainDir: string): Promise<Failure[]> {
  return (await readDoc(path.join(domainDir, 'failures.json'), 'failures')) as Failure[]
}
