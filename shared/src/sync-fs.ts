/**
 * One flush for a whole file system (syncfs(2), through coreutils' `sync --file-system`; Node has no binding):
 * where many files were written and renamed without an fsync each, this one call makes all of them durable.
 * A grouped flush instead of one fsync per file and per folder (issue 16). A failure is an error naming the path.
 */
import { execFile } from 'node:child_process'

export function syncFileSystem(anyPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['--file-system', '--', anyPath], { timeout: 0 }, (err, _out, stderr) => {
      if (!err) return resolve()
      const why = String(stderr || err.message).trim().split('\n')[0]
      reject(Object.assign(new Error(`${anyPath}: cannot flush its file system: ${why}`), { code: 'ESYNCFS', path: anyPath }))
    })
  })
}
