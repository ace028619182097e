import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-push: Copy finished backup runs off-site with rsync over SSH, hard links preserved */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-push', usage: '$0 [options]\n\nCopy finished backup runs off-site with rsync over SSH, hard links preserved', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-push: not implemented yet\n')
  return EXIT.FATAL
}
