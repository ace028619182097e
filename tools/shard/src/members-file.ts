/** `<archive>.members.ndjson`: one `member` record per entry (path, kind, size, mtime, sha256), closed by an `end` record. */
import { AtomicFile, type WriteResult } from '@clara/shared/atomic'
import type { MemberRow } from './member.js'

/** Write the listing atomically, a few thousand lines at a time. */
export async function writeMembers(file: string, rows: MemberRow[]): Promise<WriteResult> {
  const f = await AtomicFile.open(file, { mode: 0o640 })
  try {
    for (let i = 0; i < rows.length; i += 4096) {
      const part = rows.slice(i, i + 4096).map((r) => JSON.stringify(r) + '\n')
      await f.write(Buffer.from(part.join('')))
    }
    await f.write(Buffer.from(JSON.stringify({ type: 'end', count: rows.length }) + '\n'))
    return await f.commit()
  } catch (err) {
    await f.abort()
    throw err
  }
}

/** Archive name → listing name: `x_0001.tgz` → `x_0001.members.ndjson`. */
export function membersName(archive: string): string {
  return archive.replace(/\.(tar|tgz)$/, '') + '.members.ndjson'
}
