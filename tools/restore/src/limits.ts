/**
 * Decompression-bomb limits. Deflate cannot expand more than 1032:1, so an archive that
 * declares more than MAX_RATIO times its own size is lying or overlaps members (the classic
 * non-recursive zip bomb); a member that yields more than it declares is stopped at once; and
 * the declared total of one unit must fit both `--max-unit-bytes` and the free space at the target.
 */
import { statfsSync } from 'node:fs'

export const MAX_RATIO = 1100
export const DEFAULT_MAX_UNIT_BYTES = 256 * 2 ** 30
/** Left free on the target filesystem. */
export const FREE_MARGIN = 64 * 2 ** 20

/** The whole unit is refused: nothing of it is written under its final name. */
export class Refusal extends Error {
  code = 'EUNSAFE'
  constructor(message: string, readonly member?: string) {
    super(message)
  }
}

/** Bytes one unit may expand to at `dir`: the limit, or the free space there less a margin. */
export async function unitBudget(dir: string, maxUnitBytes: number): Promise<number> {
  const st = statfsSync(dir) // one call per unit: not worth a round trip through the thread pool
  const free = Number(st.bavail) * Number(st.bsize) - FREE_MARGIN
  return Math.max(0, Math.min(maxUnitBytes, free))
}

/** A running total against a budget (tar members arrive one at a time). */
export class Budget {
  used = 0
  constructor(readonly limit: number) {}

  take(n: number, member: string): void {
    this.used += n
    if (this.used > this.limit) {
      throw new Refusal(`expands to more than ${this.limit} bytes (the unit limit or the free space at the target)`, member)
    }
  }
}

/** Check a declared expansion against an archive's size. */
export function checkRatio(declared: number, stored: number, what: string): void {
  if (declared > Math.max(stored, 1) * MAX_RATIO) {
    throw new Refusal(`declares ${declared} bytes in ${stored} (more than ${MAX_RATIO}:1, beyond what deflate can do): a decompression bomb`, what)
  }
}
