/**
 * run-checks.ts, the stress harness's "nothing listed is missing or wrong": on a crafted run, every
 * listing kind is read (a domain index, a unit's metadata.json, a dump's db_metadata.json, the audio DB
 * copies' db_metadata.json); a missing file and a wrong sha256 are each one problem naming the file and
 * who lists it; an absent source and a copy that failed (recorded with its error, as clara-pgdump does on
 * a full disk) list nothing.
 */
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { checkListed, listedArtifacts } from '../src/run-checks.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

function put(run: string, rel: string, data: string): void {
  mkdirSync(path.dirname(path.join(run, rel)), { recursive: true })
  writeFileSync(path.join(run, rel), data)
}

function craft(dir: string): string {
  const run = path.join(dir, 'run')
  put(run, 'source_exports/12/source.zip', 'zip 12')
  put(run, 'source_exports/12/metadata.json', JSON.stringify({ archives: [{ path: 'source_exports/12/source.zip', sha256: sha('zip 12') }] }))
  put(run, 'source_exports/index.json', JSON.stringify({ entries: [{ path: '12/source.zip', sha256: sha('zip 12') }] }))
  put(run, 'db/clara_db_1.dump', 'dump')
  put(run, 'db/clara_db_1.db_metadata.json', JSON.stringify({ dump: 'clara_db_1.dump', sha256: sha('dump') }))
  put(run, 'audio_cache/orm_db/copied.db', 'copy')
  put(run, 'audio_cache/orm_db/db_metadata.json', JSON.stringify({
    files: [
      { name: 'copied.db', present: true, sha256: sha('copy') },
      { name: 'absent.db', present: false },
      { name: 'failed.db', present: true, error: "ENOSPC: no space left on device, write" },
    ],
  }))
  return run
}

t.test('every kind of listing is read; an absent source and a failed copy list nothing', async (t) => {
  const run = craft(t.testdir())
  const listed = (await listedArtifacts(run)).map((l) => `${l.by} → ${l.path}`).sort()
  t.same(listed, [
    'audio_cache/orm_db/db_metadata.json → audio_cache/orm_db/copied.db',
    'db/clara_db_1.db_metadata.json → db/clara_db_1.dump',
    'source_exports/12/metadata.json → source_exports/12/source.zip',
    'source_exports/index.json → source_exports/12/source.zip',
  ])
  t.same(await checkListed(run), [], 'a whole run: no problem')
})

t.test('a missing file and a wrong sha256: one problem each, naming the file and who lists it', async (t) => {
  const run = craft(t.testdir())
  put(run, 'db/clara_db_1.dump', 'torn')
  writeFileSync(path.join(run, 'audio_cache/orm_db/db_metadata.json'), JSON.stringify({ files: [{ name: 'gone.db', present: true, sha256: sha('x') }] }))
  const problems = (await checkListed(run)).sort()
  t.same(problems, [
    'audio_cache/orm_db/db_metadata.json lists audio_cache/orm_db/gone.db, which is missing',
    `db/clara_db_1.db_metadata.json lists db/clara_db_1.dump with sha256 ${sha('dump').slice(0, 12)}…, the file has ${sha('torn').slice(0, 12)}…`,
  ])
})
