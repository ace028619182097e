import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-restore: Restore a backup run into a new C-LARA root and database, migrating paths */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-restore', usage: '$0 [options]\n\nRestore a backup run into a new C-LARA root and database, migrating paths', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-restore: not implemented yet\n')
  return EXIT.FATAL
}
