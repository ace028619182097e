/** The `--sqlite-files` mode: copy each present file, one `db_metadata.json` for the folder, records. */
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import type { Logger } from '@clara/shared/log'
import type { RecordWriter } from '@clara/shared/ndjson'
import { errorRecord } from '@clara/shared/records'
import { copySqliteFile, filesMetadata, planSqliteFile, type SqliteFileEntry } from './sqlite-files.js'

export interface FilesJob {
  files: string[]
  outDir: string
  root: string
  /** the domain named in artifact records */
  domain: string
  createdAt: string
  /** --dry-run: check each file and emit the records with `planned: true`; write nothing */
  dryRun?: boolean
}

const posix = (p: string) => p.split(path.sep).join('/')

/** Returns 0, or 1 when a present file could not be copied (or, in a dry run, read: its `error` record written). */
export async function copySqliteFiles(job: FilesJob, log: Logger, w: RecordWriter): Promise<number> {
  const entries: SqliteFileEntry[] = []
  let ok = 0
  let failed = 0
  let bytes = 0
  for (const source of job.files) {
    const name = path.basename(source)
    const unit = `${path.basename(job.outDir)}/${name}`
    const rel = posix(path.relative(job.root, path.join(job.outDir, name)))
    try {
      const e = job.dryRun ? await planSqliteFile(source) : await copySqliteFile(source, job.outDir)
      entries.push(e)
      if (!e.present) {
        log.detail(`${source}: absent, recorded as such`)
        continue
      }
      ok++
      bytes += e.size_bytes!
      const digest = job.dryRun ? { planned: true, size_estimated: true } : { sha256: e.sha256! }
      await w.write({ type: 'artifact', domain: job.domain, unit, path: rel, size_bytes: e.size_bytes!, ...digest, updated_at: job.createdAt, engine: 'sqlite' })
    } catch (err) {
      failed++
      entries.push({ name, source, present: true, error: (err as Error).message })
      log.error(source, (err as Error).message)
      await w.write(errorRecord('copy', source, err, { domain: job.domain, unit }))
    }
  }
  if (!job.dryRun) await writeJsonAtomic(path.join(job.outDir, 'db_metadata.json'), filesMetadata(entries, job.createdAt))
  const absent = entries.filter((e) => !e.present).length
  await w.write({ type: 'summary', tool: 'clara-pgdump', ok, failed, bytes, absent, ...(job.dryRun ? { planned: true } : {}) })
  return failed ? 1 : 0
}
