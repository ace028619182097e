/** Read a JSON document that may not be there yet (an index, a marker, a state file). */
import { promises as fsp } from 'node:fs'

/** The parsed document, or null when the file does not exist; any other read error, and bad JSON, throw. */
export async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as T
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}
