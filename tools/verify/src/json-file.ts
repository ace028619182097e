/** Reading the run's JSON documents: absent, unreadable and malformed are told apart. */
import { readRegular } from '@clara/shared/artifact-file'

export type JsonRead<T> = { ok: true; doc: T } | { ok: false; missing: boolean; message: string }

export async function readJson<T = any>(file: string): Promise<JsonRead<T>> {
  let text: string
  try {
    text = (await readRegular(file)).toString('utf8') // a FIFO or device in its place: unreadable, never a hang
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { ok: false, missing: e.code === 'ENOENT', message: e.code === 'ENOENT' ? 'missing' : `unreadable (${e.code ?? e.message})` }
  }
  try {
    return { ok: true, doc: JSON.parse(text) as T }
  } catch (err) {
    return { ok: false, missing: false, message: `not valid JSON (${(err as Error).message})` }
  }
}

/** The list of entries of an index document, whatever the producer called it. */
export function indexList(doc: any): any[] | null {
  if (!doc || typeof doc !== 'object') return null
  for (const key of ['entries', 'shards', 'files', 'dumps']) if (Array.isArray(doc[key])) return doc[key]
  return Array.isArray(doc) ? doc : null
}
