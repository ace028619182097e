import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-list-legacy: List the legacy LARA content (each top-level folder of the legacy root) as unit records */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-list-legacy', usage: '$0 [options]\n\nList the legacy LARA content (each top-level folder of the legacy root) as unit records', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-list-legacy: not implemented yet\n')
  return EXIT.FATAL
}
