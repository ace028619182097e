/**
 * `clara-restore RUN --project ID --into CLARA --db URL [--replace]`: bring one project back into a
 * live install, and change nothing else. Files: the run's `source_exports/<id>` and
 * `compiled_exports/<id>` units (source folder, images, compiled pages; JSON paths migrated into
 * CLARA). Rows: the project's row and every row that reaches it (clara-model/project-rows), read
 * from the run's dump, path columns migrated into CLARA, inserted in one transaction with their
 * ids. Every check runs before anything is written: the project must not be there (unless
 * --replace), no other live project may have its internal_id, every row a restored row refers to
 * must exist, and no id may be taken. Whatever the live site holds of the project (the project
 * under --replace, or the left-overs of C-LARA's own delete, which keeps image rows, images and
 * compiled pages) is moved aside: folders under .clara-restore/replaced/, rows saved to a JSON file.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { openDb, redactUrl, type Db } from '@clara/shared/db'
import { readDumpRows, type TableRows } from '@clara/shared/dump-rows'
import { foreignKeys, type ForeignKey } from '@clara/shared/foreign-keys'
import type { Logger } from '@clara/shared/log'
import type { RecordWriter } from '@clara/shared/ndjson'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { syncFileSystem } from '@clara/shared/sync-fs'
import { readJson } from '@clara/shared/read-json'
import { PATH_COLUMNS } from '@clara/clara-model/path-columns'
import { INTERNAL_ID_TABLES, NOT_PROJECT_TABLES, PROJECT_TABLE, PROJECT_UNIT_DOMAINS, projectFolders } from '@clara/clara-model/project-rows'
import { findDump } from './dump-info.js'
import { RootSet } from './old-roots.js'
import { Report } from './report.js'
import { planUnits } from './run-plan.js'
import { lockedState, openRun } from './restore.js'
import { restoreUnits } from './units-step.js'
import { parentsFirst, reachableTables, selectedRows, selectRows, type Seed, type Value } from './project-set.js'

export interface ProjectRestoreOptions {
  run: string
  into: string
  db: string
  project: number
  replace: boolean
  fromRoots: string[]
  identities: string[]
  maxUnitBytes: number
  keepSpecialModes: boolean
  /** units restored at once (--jobs) */
  jobs?: number
  env: NodeJS.ProcessEnv
  cwd: string
  signal?: AbortSignal
}

type Rows = { table: string; columns: string[]; rows: Value[][] }[]

const refuse = (msg: string) => new ClaraError(msg, EXIT.FATAL, 'EPROJECT')

/** Every table's rows as text (the same text forms a dump gives), for the tables named. */
async function liveTables(db: Db, tables: string[]): Promise<Map<string, TableRows>> {
  const have = new Set(await db.tables())
  const out = new Map<string, TableRows>()
  for (const t of tables.filter((x) => have.has(x))) {
    const columns = db.engine === 'postgres'
      ? (await db.query<{ c: string }>('select column_name as c from information_schema.columns where table_schema = current_schema() and table_name = ? order by ordinal_position', [t])).map((r) => r.c)
      : (await db.query<{ name: string }>('select name from pragma_table_info(?)', [t])).map((r) => r.name)
    const list = columns.map((c) => (db.engine === 'postgres' ? `${db.ident(c)}::text as ${db.ident(c)}` : db.ident(c))).join(', ')
    const rows = await db.query(`select ${list} from ${db.ident(t)}`)
    out.set(t, { columns, rows: rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? null : Buffer.isBuffer(r[c]) ? (r[c] as Buffer).toString('utf8') : String(r[c])))) })
  }
  return out
}

/** The project's rows in one set of tables. */
function projectSet(tables: Map<string, TableRows>, fks: ForeignKey[], id: string, internalId: string | null, order: string[]): Rows {
  const seeds: Seed[] = [{ table: PROJECT_TABLE, column: 'id', values: [id] }]
  if (internalId !== null) for (const t of INTERNAL_ID_TABLES) seeds.push({ ...t, values: [internalId] })
  return selectedRows(tables, selectRows(tables, fks, seeds, NOT_PROJECT_TABLES), order)
}

const value = (r: Rows[number], row: Value[], column: string): Value => row[r.columns.indexOf(column)] ?? null
const count = (rows: Rows) => rows.reduce((n, t) => n + t.rows.length, 0)
const keysOf = (rows: Rows, table: string, column: string) => new Set(rows.filter((r) => r.table === table).flatMap((r) => r.rows.map((row) => value(r, row, column))).filter((v): v is string => v !== null))

/** Refuse (before anything is written) a row that refers to a row that will not be there, or whose id is taken. */
async function checkRows(db: Db, backup: Rows, leaving: Rows, fks: ForeignKey[]): Promise<void> {
  const found = new Map<string, boolean>()
  const inLive = async (table: string, column: string, v: string): Promise<boolean> => {
    if (keysOf(leaving, table, column).has(v)) return false
    const k = `${table}\t${column}\t${v}`
    if (!found.has(k)) found.set(k, (await db.query(`select 1 as x from ${db.ident(table)} where ${db.ident(column)} = ? limit 1`, [v])).length > 0)
    return found.get(k)!
  }
  for (const r of backup) {
    for (const fk of fks.filter((f) => f.table === r.table)) {
      const coming = keysOf(backup, fk.refTable, fk.refColumn)
      for (const row of r.rows) {
        const v = value(r, row, fk.column)
        if (v !== null && !coming.has(v) && !(await inLive(fk.refTable, fk.refColumn, v))) {
          throw refuse(`${r.table}.${fk.column} = ${v}: the live database has no ${fk.refTable} row with ${fk.refColumn} = ${v} (restore or recreate it first). Nothing was written.`)
        }
      }
    }
    if (!r.columns.includes('id')) continue
    for (const row of r.rows) {
      const v = value(r, row, 'id')
      if (v !== null && (await inLive(r.table, 'id', v))) throw refuse(`${r.table} id ${v} is taken in the live database by another row. Nothing was written.`)
    }
  }
}

/** Path columns of the restored rows, migrated into CLARA. */
function migrate(rows: Rows, roots: RootSet): number {
  let n = 0
  for (const r of rows) {
    for (const pc of PATH_COLUMNS.filter((c) => c.table === r.table)) {
      const i = r.columns.indexOf(pc.column)
      if (i < 0) continue
      for (const row of r.rows) {
        const w = roots.rewrite(row[i])
        if (w) {
          row[i] = w.value
          n++
        }
      }
    }
  }
  return n
}

/** Delete the live copy's rows (children first), insert the backup's (parents first), in one transaction. */
async function writeRows(db: Db, backup: Rows, leaving: Rows): Promise<void> {
  await db.exec('begin')
  try {
    for (const r of [...leaving].reverse()) {
      const key = r.columns.includes('id') ? 'id' : r.columns[0]
      for (const row of r.rows) await db.query(`delete from ${db.ident(r.table)} where ${db.ident(key)} = ?`, [value(r, row, key)])
    }
    for (const r of backup) {
      const sql = `insert into ${db.ident(r.table)} (${r.columns.map((c) => db.ident(c)).join(', ')}) values (${r.columns.map(() => '?').join(', ')})`
      for (const row of r.rows) await db.query(sql, row)
    }
    if (db.engine === 'postgres') {
      // ids inserted as they were: a sequence behind them is moved up to the largest (never down)
      for (const r of backup.filter((x) => x.columns.includes('id'))) {
        const [{ s: seq }] = await db.query<{ s: string | null }>("select pg_get_serial_sequence(?, 'id') as s", [r.table])
        if (!seq) continue
        const [{ last, top }] = await db.query<{ last: string; top: string | null }>(`select (select last_value from ${seq})::text as last, (select max(id) from ${db.ident(r.table)})::text as top`)
        if (top !== null && BigInt(top) > BigInt(last)) await db.query('select setval(?, ?)', [seq, top])
      }
    }
    await db.exec('commit')
  } catch (err) {
    await db.exec('rollback').catch(() => {})
    throw err
  }
}

async function exists(p: string): Promise<boolean> {
  return (await fsp.lstat(p).catch(() => null)) !== null
}

export async function restoreProject(o: ProjectRestoreOptions, out: RecordWriter, log: Logger): Promise<number> {
  if (!(await fsp.stat(o.into).catch(() => null))?.isDirectory()) throw new ClaraError(`${o.into}: no such C-LARA root (--into names the live install)`, EXIT.USAGE, 'ENOENT')
  const { state, lock } = await lockedState(o.into)
  const report = new Report()
  let src = o.run
  const db = await openDb(o.db, { readonly: false, cwd: o.cwd })
  try {
    src = await openRun({ run: o.run, identities: o.identities, env: o.env }, state, report, log)
    const manifest = await readJson<{ clara?: string; run_id?: string }>(path.join(src, 'manifest.json'))
    const roots = new RootSet(o.into)
    if (manifest?.clara) roots.add(manifest.clara, 'manifest')
    for (const r of o.fromRoots) roots.add(r, 'from-root')
    const dump = await findDump(src)
    if (!dump) throw refuse('the run has no database dump: a project cannot be brought back without its rows')
    if (db.engine === 'mysql') throw new ClaraError('--project restores into SQLite or PostgreSQL (the engines C-LARA runs on)', EXIT.USAGE, 'EENGINE')
    if (dump.engine !== db.engine) throw new ClaraError(`the run's dump is ${dump.engine} and the live database is ${db.engine}: cross-engine restores are not supported`, EXIT.USAGE, 'EENGINE')

    // What the run holds of the project.
    const id = String(o.project)
    const fks = (await foreignKeys(db)).filter((f) => !NOT_PROJECT_TABLES.has(f.table))
    const tableList = reachableTables([PROJECT_TABLE, ...INTERNAL_ID_TABLES.map((t) => t.table)], fks, NOT_PROJECT_TABLES)
    const order = parentsFirst(tableList, fks)
    const dumped = await readDumpRows(dump.file, dump.engine, new Map(tableList.map((t) => [t, [] as string[]])), { env: o.env })
    const projectRow = projectSet(dumped, fks, id, null, order).find((r) => r.table === PROJECT_TABLE)
    if (!projectRow) throw refuse(`project ${id} is not in the run's database dump (${dump.path})`)
    const internalId = value(projectRow, projectRow.rows[0], 'internal_id') ?? ''
    const backup = projectSet(dumped, fks, id, internalId, order)
    const units = (await planUnits(src, manifest?.clara ?? null, new Set(['source', 'compiled'])))
      .filter((u) => (PROJECT_UNIT_DOMAINS as readonly string[]).includes(u.domain) && u.unit === id)
    if (!units.length) report.warnings.push(`the run holds no source or compiled unit of project ${id}: its rows are restored, no files`)

    // What the live site holds of it.
    const live = await liveTables(db, tableList)
    const leaving = projectSet(live, fks, id, internalId, order)
    const folders = []
    for (const f of projectFolders(id, internalId)) if (await exists(path.join(o.into, f))) folders.push(f)
    if (leaving.some((r) => r.table === PROJECT_TABLE) && !o.replace) {
      throw refuse(`project ${id} (${internalId}) is in the live site: pass --replace to move the current copy aside first. Nothing was written.`)
    }
    const twin = await db.query<{ id: unknown }>(`select id from ${db.ident(PROJECT_TABLE)} where internal_id = ? and id <> ?`, [internalId, id])
    if (twin.length) throw refuse(`project ${String(twin[0].id)} of the live site has the same internal_id (${internalId}): its folders and image rows would clash. Nothing was written.`)
    await checkRows(db, backup, leaving, fks)
    const rewritten = migrate(backup, roots)

    // Writing: the live copy aside, then files, then rows.
    const reportDir = path.join(state.dir, 'projects', id)
    // The live copy (--replace), or what C-LARA's own delete leaves behind (image rows and folders, compiled pages):
    // moved aside and saved, never deleted.
    if (count(leaving) || folders.length) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      const saved = path.join(reportDir, `replaced-${stamp}.json`)
      await writeJsonAtomic(saved, { project: o.project, internal_id: internalId, rows: leaving })
      for (const f of folders) {
        const aside = state.aside(`${f}.${stamp}`) as string
        await fsp.mkdir(path.dirname(aside), { recursive: true })
        await fsp.rename(path.join(o.into, f), aside)
        report.units.replaced.push(f)
      }
      const was = leaving.some((r) => r.table === PROJECT_TABLE) ? 'was in the live site' : 'had left-overs in the live site (C-LARA’s delete keeps image rows, images and compiled pages)'
      report.warnings.push(`project ${id} ${was}: ${folders.length} folder(s) moved to ${path.join(state.dir, 'replaced')}, ${count(leaving)} row(s) saved to ${saved}`)
    }
    await restoreUnits(units, { root: o.into, state, roots, maxUnitBytes: o.maxUnitBytes, out, log, report, covered: new Set(), keepSpecialModes: o.keepSpecialModes, jobs: o.jobs, signal: o.signal })
    if (report.units.refused.length || report.units.failed.length) {
      throw new ClaraError(`project ${id}: its files did not all come back (see the records above): the database was left unchanged; fix the cause and rerun`, EXIT.FATAL, 'EPROJECT')
    }
    log.info(`database: ${count(backup)} row(s) of project ${id} → ${redactUrl(o.db)}`)
    await writeRows(db, backup, leaving)
    const rows = Object.fromEntries(backup.map((r) => [r.table, r.rows.length]))
    report.db = { url: redactUrl(o.db), engine: db.engine, dump: dump.path, project: o.project, internal_id: internalId, rows, paths_rewritten: rewritten, replaced_rows: count(leaving) }
    report.run = { dir: o.run, run_id: manifest?.run_id ?? null, clara: manifest?.clara ?? null, status: null }
    report.to = o.into
    report.old_roots = roots.list()
    await out.write({ type: 'restored', domain: 'db', unit: `project ${id}`, engine: db.engine, rows })
    for (const w of report.warnings) await out.write({ type: 'warning', during: 'restore', item: `project ${id}`, message: w })
    await fsp.mkdir(reportDir, { recursive: true })
    await syncFileSystem(o.into) // the files and markers written without an fsync each (markers.ts)
    await state.flushed(false)
    const file = await report.write(reportDir)
    await out.write({ type: 'summary', tool: 'clara-restore', project: o.project, ok: report.units.restored + report.units.skipped + 1, failed: 0, bytes: report.bytes_restored, status: 'complete', report: file })
    return EXIT.OK
  } finally {
    await db.close()
    if (src !== o.run) await fsp.rm(src, { recursive: true, force: true })
    await lock.release()
  }
}
