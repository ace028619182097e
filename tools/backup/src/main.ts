import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-backup: Run a complete backup: every domain in order, resumable, incremental, locked, with a manifest */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-backup', usage: '$0 [options]\n\nRun a complete backup: every domain in order, resumable, incremental, locked, with a manifest', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-backup: not implemented yet\n')
  return EXIT.FATAL
}
