/** Read a JSON document that may not be there yet (an index, a marker, a state file). */
import { readRegular } from './artifact-file.js'

/** The parsed document, or null when the file does not exist; any other read error (a FIFO or device in its place included: never opened blocking), and bad JSON, throw. */
export async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse((await readRegular(file)).toString('utf8')) as T
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}
