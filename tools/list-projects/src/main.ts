import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { openDb, redactUrl } from '@clara/shared/db'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { TEXT_TYPES, isTextType, type TextType } from './clara-layout.js'
import { resolveSettings } from './settings.js'
import { listing } from './listing.js'
import { appCommit } from './app-commit.js'
import { compiledUnits, sourceUnits } from './units.js'
import { audioMembers } from './audio-export.js'
import type { Bundle } from './compiled-unit.js'

export const USAGE = `$0 [options]

List C-LARA projects (and orphan directories) as NDJSON records, read-only.
Default: one "project" record per clara_app_claraproject row (ordered by id), then one "orphan"
record per project, image or compiled entry that no row owns.
--units source|compiled: "unit" records for clara-zip-unit instead (domains source_exports,
compiled_exports; orphans become units named orphan-<dir name>).
--clara defaults to $CLARA; --db to $DATABASE_URL, else sqlite://$CLARA/db.sqlite3.`

function textTypes(v: unknown): TextType[] {
  const list = listFlag(v)
  for (const t of list) if (!isTextType(t)) throw new UsageError(`unknown text type "${t}" (want ${TEXT_TYPES.join(', ')})`)
  return list.length ? TEXT_TYPES.filter((t) => list.includes(t)) : TEXT_TYPES
}

/** clara-list-projects: List C-LARA projects (and orphan directories) as NDJSON records, read-only */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-list-projects',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('clara', { type: 'string', describe: 'the C-LARA install ($CLARA)' })
        .option('db', { type: 'string', describe: 'database URL: sqlite:///path, postgres://… or mysql://…' })
        .option('only', { type: 'string', array: true, describe: 'only these project ids or internal_ids (orphans: dir names), comma lists, repeatable' })
        .option('skip', { type: 'string', array: true, describe: 'leave out these project ids or internal_ids (orphans: dir names)' })
        .option('units', { type: 'string', choices: ['source', 'compiled'], describe: 'emit unit records for this domain instead of project records' })
        .option('text-types', { type: 'string', array: true, describe: `with --units compiled: restrict to these of ${TEXT_TYPES.join(',')} (ignored otherwise)` })
        .option('bundle', { type: 'string', choices: ['per-type', 'single'], describe: 'with --units compiled: one zip per text type (default) or one compiled.zip (ignored otherwise)' }),
  })
  if (!opts) return EXIT.OK
  const types = textTypes(opts['text-types'])
  const settings = resolveSettings(opts, io.env, io.cwd)
  const log = new Logger(io, 'clara-list-projects', opts)
  log.detail(`C-LARA ${settings.clara}, database ${redactUrl(settings.db)} (from ${settings.dbFrom})`)
  const db = await openDb(settings.db, { readonly: true, cwd: io.cwd })
  let list
  let audio
  try {
    list = await listing(db, settings.clara, listFlag(opts.only), listFlag(opts.skip))
    if (opts.units === 'source') audio = await audioMembers(db, settings.clara, list.projects)
  } finally {
    await db.close()
  }
  for (const miss of list.unmatched) log.warn(miss, 'matches no project or orphan')
  const out = new RecordWriter(io.stdout)
  if (!opts.units) {
    for (const rec of [...list.projects, ...list.orphans]) await out.write(rec)
  } else {
    const uo = { clara: settings.clara, appCommit: await appCommit(settings.clara, io.env), textTypes: types, bundle: (opts.bundle ?? 'per-type') as Bundle, audio, gloss: list.gloss }
    const plans = opts.units === 'source' ? sourceUnits(list.projects, list.orphans, uo) : compiledUnits(list.projects, list.orphans, uo)
    for (const plan of plans) {
      for (const w of plan.warnings) log.warn(w.item, w.message)
      if (plan.unit) log.detail(`${plan.unit.domain}/${plan.unit.unit}: ${plan.unit.archives.map((a) => a.name).join(', ')}`)
      for (const rec of [...plan.warnings, ...(plan.unit ? [plan.unit] : [])]) await out.write(rec)
    }
  }
  await out.end()
  return EXIT.OK
}
