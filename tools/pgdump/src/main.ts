import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'

/** clara-pgdump: Dump the C-LARA database (PostgreSQL, SQLite or MariaDB/MySQL) into db/ with db_metadata.json */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, { name: 'clara-pgdump', usage: '$0 [options]\n\nDump the C-LARA database (PostgreSQL, SQLite or MariaDB/MySQL) into db/ with db_metadata.json', build: (y) => y })
  if (!opts) return EXIT.OK
  io.stderr.write('clara-pgdump: not implemented yet\n')
  return EXIT.FATAL
}
