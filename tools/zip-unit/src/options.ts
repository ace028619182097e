/** The options one unit job needs: plain data, so they can cross into a worker thread. */
import { readFileSync } from 'node:fs'

export interface ZipOptions {
  /** the backup run directory (absolute); unused with dryRun */
  dest: string
  level: number
  checksums: boolean
  dryRun: boolean
  existing: 'skip' | 'overwrite'
  /** previous run directory for incremental hard links */
  linkDest?: string
  /** CLARA_FAULT_INJECT spec (tests) */
  faults?: string
  /** members at least this big are streamed in chunks instead of read whole */
  bigFile: number
  /** rewritten members kept in memory between the scan and the write, per unit */
  rewriteBudget: number
}

/**
 * Deflate level 1, zlib's cheapest compressing level: on the bench tree it costs 0.2 % more output
 * than level 6 (media are stored either way) and saves about 15 % of the CPU. Level 0 (store) would
 * save another ~20 % of the CPU on the 1× install's source list but store its text 3.4× larger
 * (+11.5 % of the zips); see README, "Why this zip writer".
 */
export const DEFAULT_LEVEL = 1
export const BIG_FILE = 16 << 20
export const REWRITE_BUDGET = 64 << 20

/** This toolkit's version (the tool package's), recorded in every metadata.json. */
export const TOOLKIT_VERSION: string = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version
  } catch {
    return '0.0.0'
  }
})()
