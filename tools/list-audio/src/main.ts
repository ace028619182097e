import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-list-audio: List the TTS audio cache as file records and reconcile it with the orm_audio_metadata table */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-list-audio', usage: '$0 [options]\n\nList the TTS audio cache as file records and reconcile it with the orm_audio_metadata table', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-list-audio: not implemented yet\n')
  return EXIT.FATAL
}
