import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-infra: Capture server configuration (git info, settings, nginx, systemd, crontab) with every secret redacted */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-infra', usage: '$0 [options]\n\nCapture server configuration (git info, settings, nginx, systemd, crontab) with every secret redacted', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-infra: not implemented yet\n')
  return EXIT.FATAL
}
