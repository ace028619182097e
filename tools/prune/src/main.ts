import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-prune: Apply the retention policy to backup runs (dry-run by default) */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-prune', usage: '$0 [options]\n\nApply the retention policy to backup runs (dry-run by default)', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-prune: not implemented yet\n')
  return EXIT.FATAL
}
