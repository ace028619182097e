import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { legacyRoots, resolveClara } from './legacy-root.js'
import { legacyUnits } from './legacy-units.js'

export const USAGE = `$0 [options]

List the legacy LARA content as unit records for clara-zip-unit (domain legacy_zips): one unit per
top-level folder of the legacy root, archive "legacy", restored to LARA_legacy/<name>.
The legacy root is --legacy-root, else $CLARA/LARA_legacy and/or $CLARA/lara_legacy (whichever exist).`

/** clara-list-legacy: List the legacy LARA content (each top-level folder of the legacy root) as unit records */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-list-legacy',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('clara', { type: 'string', describe: 'the C-LARA install ($CLARA)' })
        .option('legacy-root', { type: 'string', describe: 'the legacy root (default $CLARA/LARA_legacy or $CLARA/lara_legacy)' })
        .option('only', { type: 'string', array: true, describe: 'only these unit names, comma lists, repeatable' })
        .option('skip', { type: 'string', array: true, describe: 'leave out these unit names' })
        .option('text-types', { type: 'string', array: true, describe: 'accepted and ignored (clara-backup passes the same list flags to every lister)' }),
  })
  if (!opts) return EXIT.OK
  const log = new Logger(io, 'clara-list-legacy', opts)
  const clara = resolveClara(opts.clara, io.env, io.cwd)
  const roots = legacyRoots(clara, opts['legacy-root'], io.cwd)
  if (!roots.length) log.info('no legacy root (LARA_legacy or lara_legacy) in the install: nothing to list')
  const out = new RecordWriter(io.stdout)
  const taken = new Set<string>()
  const only = new Set(listFlag(opts.only))
  const skip = new Set(listFlag(opts.skip))
  const wanted = (unit: string) => !skip.has(unit) && (!only.size || only.has(unit))
  for (const root of roots) {
    for (const rec of await legacyUnits(root, taken)) {
      if (rec.unit !== undefined && !wanted(String(rec.unit))) continue
      if (rec.type === 'warning') log.warn(rec.item, rec.message)
      else log.detail(`unit ${rec.unit}`)
      await out.write(rec)
    }
  }
  await out.end()
  return EXIT.OK
}
