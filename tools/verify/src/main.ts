import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-verify: Verify a backup run: counts, indexes, checksums, archives, database, references and secrets */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-verify', usage: '$0 [options]\n\nVerify a backup run: counts, indexes, checksums, archives, database, references and secrets', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-verify: not implemented yet\n')
  return EXIT.FATAL
}
