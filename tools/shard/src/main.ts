import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-shard: Pack a file tree (the TTS audio cache, snapshots) into size-bounded, stable tar shards with member listings */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-shard', usage: '$0 [options]\n\nPack a file tree (the TTS audio cache, snapshots) into size-bounded, stable tar shards with member listings', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-shard: not implemented yet\n')
  return EXIT.FATAL
}
