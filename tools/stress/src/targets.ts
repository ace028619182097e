/** Every crash target by name, built on first use from the shared world. */
import type { Target } from './crash.js'
import type { World } from './world.js'
import { backupTarget } from './targets/backup.js'
import { pgdumpTarget } from './targets/pgdump.js'
import { restoreTarget } from './targets/restore.js'
import { shardTarget } from './targets/shard.js'
import { zipUnitTarget } from './targets/zip-unit.js'

export const TARGETS: Record<string, (w: World) => Promise<Target>> = {
  'zip-unit': zipUnitTarget,
  shard: shardTarget,
  pgdump: pgdumpTarget,
  backup: backupTarget,
  restore: restoreTarget,
}

export const TARGET_NAMES = Object.keys(TARGETS)

/** Builds each target once (its reference run is the expensive part). */
export class TargetCache {
  private built = new Map<string, Promise<Target>>()
  constructor(private world: World) {}

  get(name: string): Promise<Target> {
    const make = TARGETS[name]
    if (!make) throw new Error(`unknown crash target ${name} (known: ${TARGET_NAMES.join(', ')})`)
    if (!this.built.has(name)) this.built.set(name, make(this.world))
    return this.built.get(name)!
  }
}
