/**
 * Test helper (not a test): a backup root with a history, made the way clara-backup writes runs
 * (shared/testkit-runs makeBackupRun): twenty nightly runs of projects 5, 12 and 37 — project 12
 * fails from night 17 on, project 37 is deleted after night 10 (its DB row too), the source domain
 * grows each night, a session row is added each night (the dumps' metadata says so) —
 * plus a pinned run's keep file, a `--domains db,infra` run and an unfinished run at the end.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { formatRunId } from '@clara/shared/run-set'
import { makeBackupRun, makeRun, setLatest } from '@clara/shared/testkit-runs'

export const NOW = '2026-12-21T12:00:00Z'
export const nightly = (n: number) => formatRunId(new Date(Date.UTC(2026, 11, 1 + n, 2, 30)))
export const DB_INFRA = formatRunId(new Date(Date.UTC(2026, 11, 20, 10, 0)))
export const UNFINISHED = formatRunId(new Date(Date.UTC(2026, 11, 21, 2, 30)))
export const NIGHTS = 20

const meta = (title: string) => JSON.stringify({ title })

export async function makeHistory(root: string): Promise<string[]> {
  const ids: string[] = []
  for (let n = 0; n < NIGHTS; n++) {
    const files: Record<string, string> = {
      'source_exports/5/source.zip': 'project five '.repeat(100 + n * 50),
      'source_exports/5/metadata.json': meta('Mary had a little lamb'),
      'source_exports/12/source.zip': `project twelve, night ${n}`,
      'source_exports/12/metadata.json': meta('Ça va <bien> & "mal"'),
      'compiled_exports/5/compiled_normal.zip': 'compiled five',
      [`db/clara_db_${String(n).padStart(3, '0')}.sqlite3`]: `db ${n}`,
      [`db/clara_db_${String(n).padStart(3, '0')}.db_metadata.json`]: JSON.stringify({
        dump: `clara_db_${String(n).padStart(3, '0')}.sqlite3`,
        tables: {
          clara_app_claraproject: { rows: n <= 10 ? 3 : 2, sha256: n <= 10 ? 'p3' : 'p2' },
          auth_user: { rows: 2, sha256: 'u2' },
          django_session: { rows: n, sha256: `s${n}` },
        },
      }),
      'infra/git_info.txt': 'commit fa5b553',
    }
    if (n <= 10) {
      files['source_exports/37/source.zip'] = 'project thirty-seven'
      files['source_exports/37/metadata.json'] = meta('Peter Rabbit')
    }
    const failures = n >= 17 ? { compiled_exports: [{ unit: '12', step: 'zip', message: '1 unresolved reference(s)', code: 'EUNRESOLVED' }] } : undefined
    await makeBackupRun(root, nightly(n), { files, linkFrom: ids.at(-1), failures, keep: n === 3 })
    ids.push(nightly(n))
  }
  await setLatest(root, ids.at(-1)!)
  await makeBackupRun(root, DB_INFRA, { files: { 'db/clara_db_999.sqlite3': 'db at ten', 'infra/git_info.txt': 'commit fa5b553' }, selection: { domains: ['db', 'infra'], full: false } })
  await makeRun(root, UNFINISHED, { files: { 'source_exports/5/source.zip': 'half a run' }, manifest: false })
  await fsp.writeFile(path.join(root, 'notes.txt'), 'not a run\n')
  return ids
}
