import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-index: Write a domain index.json and failures.json from artifact and error records */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-index', usage: '$0 [options]\n\nWrite a domain index.json and failures.json from artifact and error records', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-index: not implemented yet\n')
  return EXIT.FATAL
}
