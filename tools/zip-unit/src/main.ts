import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-zip-unit: Turn unit records into deterministic, atomically written zip artifacts with metadata.json */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-zip-unit', usage: '$0 [options]\n\nTurn unit records into deterministic, atomically written zip artifacts with metadata.json', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-zip-unit: not implemented yet\n')
  return EXIT.FATAL
}
