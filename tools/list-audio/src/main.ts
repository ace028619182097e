import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { openDb, redactUrl, type Db } from '@clara/shared/db'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { AUDIO_FOLDER } from '@clara/clara-model/data-folders'
import { AUDIO_TABLE } from '@clara/clara-model/path-columns'
import { listCache } from './cache-files.js'
import { reconcile, type AudioRow } from './reconcile.js'
import { databaseFrom, requireClara } from '@clara/shared/env'

export const USAGE = `$0 [--clara DIR] [--db URL]

List the TTS audio cache ($CLARA/${AUDIO_FOLDER}) as "file" records (root = the cache,
sorted), for clara-shard, then reconcile it with the orm_audio_metadata table:
"audio_missing" {id, file_path, expected_path, reason} for each row whose file is not in the cache,
"audio_unreferenced" {path} for each cache file no row names. Reported, not fatal.
A row names a file by the part of file_path after "${AUDIO_FOLDER}/" (any old root, Windows or
S3-style key), or else by <engine>/<language>/<voice>/<basename>.
--clara defaults to $CLARA; --db to $DATABASE_URL, else sqlite://$CLARA/db.sqlite3.`

/** clara-list-audio: list the TTS audio cache as file records and reconcile it with orm_audio_metadata. */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-list-audio',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('clara', { type: 'string', describe: 'the C-LARA install ($CLARA)' })
        .option('db', { type: 'string', describe: 'database URL: sqlite:///path, postgres://… or mysql://…' }),
  })
  if (!opts) return EXIT.OK
  const clara = requireClara(opts.clara as string | undefined, io.env, io.cwd)
  const url = databaseFrom(opts.db as string | undefined, io.env, clara)!.url
  const log = new Logger(io, 'clara-list-audio', opts)
  log.detail(`C-LARA ${clara}, database ${redactUrl(url)}`)
  const db = await openDb(url, { readonly: true, cwd: io.cwd })
  let rows: AudioRow[] | null = null
  let queryError: Error | null = null
  try {
    rows = await audioRows(db)
  } catch (err) {
    queryError = err as Error
  } finally {
    await db.close()
  }
  const out = new RecordWriter(io.stdout)
  const errors = await emit(out, log, path.join(clara, AUDIO_FOLDER), rows, queryError)
  await out.end()
  return errors ? EXIT.PARTIAL : EXIT.OK
}

/** Write the file records, then the reconciliation (or the query's error); returns the error count. */
async function emit(out: RecordWriter, log: Logger, root: string, rows: AudioRow[] | null, queryError: Error | null): Promise<number> {
  const cache = await listCache(root)
  let errors = 0
  if (!cache.exists) log.warn(root, 'no audio cache here (every row is reported missing)')
  await out.writeMany(cache.records)
  for (const u of cache.unreadable) {
    errors++
    log.error(u.path, u.message)
    await out.write({ type: 'error', during: 'list', item: u.path, message: u.message, ...(u.code ? { code: u.code } : {}) })
  }
  if (queryError || !rows) {
    log.error(AUDIO_TABLE, queryError?.message ?? 'no rows')
    await out.write({ type: 'error', during: 'list', item: AUDIO_TABLE, message: queryError?.message ?? 'no rows' })
    return errors + 1
  }
  const r = reconcile(rows, cache.records.map((f) => f.path))
  await out.writeMany([...r.missing, ...r.unreferenced])
  log.detail(`${cache.records.length} files, ${rows.length} rows: ${r.missing.length} rows without a file, ${r.unreferenced.length} files without a row, ${r.by_layout} found by layout`)
  return errors
}

async function audioRows(db: Db): Promise<AudioRow[]> {
  const rows = await db.query(`SELECT id, engine_id, language_id, voice_id, file_path FROM ${AUDIO_TABLE} ORDER BY id`)
  return rows.map((r) => ({ id: Number(r.id), engine_id: String(r.engine_id ?? ''), language_id: String(r.language_id ?? ''), voice_id: String(r.voice_id ?? ''), file_path: r.file_path === null || r.file_path === undefined ? null : String(r.file_path) }))
}
