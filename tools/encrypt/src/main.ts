import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-encrypt: Encrypt the secret parts of a backup run to age recipients, and decrypt them for restore */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-encrypt', usage: '$0 [options]\n\nEncrypt the secret parts of a backup run to age recipients, and decrypt them for restore', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-encrypt: not implemented yet\n')
  return EXIT.FATAL
}
