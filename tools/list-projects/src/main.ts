import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-list-projects: List C-LARA projects (and orphan directories) as NDJSON records, read-only */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-list-projects', usage: '$0 [options]\n\nList C-LARA projects (and orphan directories) as NDJSON records, read-only', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-list-projects: not implemented yet\n')
  return EXIT.FATAL
}
