import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { SCRIPT_PATHS } from './script-paths.js'

const USAGE = `$0 paths NAME

Print the C-LARA paths NAME stands for, relative to $CLARA, one per line, for the domain scripts
(scripts/backup_*.sh), so that no script types a C-LARA path itself. NAME:
${Object.entries(SCRIPT_PATHS).map(([k, v]) => `  ${k.padEnd(18)} ${v.note}`).join('\n')}`

/** clara-model: what the scripts need to know of a C-LARA install's layout. */
export async function main(io: Io): Promise<number> {
  const o = await parseArgs(io, {
    name: 'clara-model',
    usage: USAGE,
    build: (y) => y.command('paths <name>', 'print the paths NAME stands for').demandCommand(1, 'say which: clara-model paths NAME'),
  })
  if (!o) return EXIT.OK
  const name = String((o as unknown as { name: string }).name)
  const set = SCRIPT_PATHS[name]
  if (!set) throw new UsageError(`paths: unknown name "${name}" (one of ${Object.keys(SCRIPT_PATHS).join(', ')})`)
  io.stdout.write(set.paths.map((p) => `${p}\n`).join(''))
  return EXIT.OK
}
