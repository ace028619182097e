import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT } from '@clara/shared/cli'
import { Logger } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { Emitter } from './emitter.js'
import { parseOptions } from './options.js'
import { groupOf } from './plan.js'
import { shardRun } from './run.js'

/** clara-shard: pack a file tree (the TTS audio cache, snapshots) into stable tar shards with member listings. */
export async function main(io: Io): Promise<number> {
  const o = await parseOptions(io)
  if (!o) return EXIT.OK
  o.dest = path.resolve(io.cwd, o.dest)
  if (o.linkDest) o.linkDest = path.resolve(io.cwd, o.linkDest)
  o.progress = io.isTTY
  const log = new Logger(io, 'clara-shard', o)
  const out = new RecordWriter(io.stdout)
  const em = new Emitter(out, log, o.domain, groupOf(o))
  const entries = await shardRun(io, o, em, log)
  await out.write({
    type: 'summary',
    tool: 'clara-shard',
    ok: entries.length,
    failed: em.errors,
    bytes: entries.reduce((n, e) => n + e.size_bytes, 0),
    files: entries.reduce((n, e) => n + e.files, 0),
    reused: entries.filter((e) => e.reused).length,
    warnings: em.warnings,
    ...(o.dryRun ? { planned: true } : {}),
  })
  await out.end()
  return em.errors ? EXIT.PARTIAL : EXIT.OK
}
