/**
 * Injected "disk full" (tests), for machines that cannot mount a small filesystem to fill up:
 * `CLARA_FAULT_ENOSPC_AFTER=<bytes>` lets each process (each worker thread: it has its own copy)
 * write that many bytes through AtomicFile, the layer every artifact is written through; the write
 * that would go past them writes what still fits and then fails as a full disk does, with ENOSPC.
 * Unset (or empty): no fault.
 */

export const SPACE_FAULT_VAR = 'CLARA_FAULT_ENOSPC_AFTER'

/** Bytes this process may still write; undefined until the variable is read, Infinity without a fault. */
let left: number | undefined

function budget(): number {
  if (left !== undefined) return left
  const spec = process.env[SPACE_FAULT_VAR]
  if (!spec) return (left = Infinity)
  if (!/^\d+$/.test(spec)) throw new Error(`${SPACE_FAULT_VAR}=${spec}: expected a whole number of bytes`)
  return (left = Number(spec))
}

/** How many of `want` bytes may be written now (all of them without a fault); they are counted as written. */
export function claimSpace(want: number): number {
  const room = Math.min(want, budget())
  if (left !== Infinity) left = budget() - room
  return room
}

/** The error a write gets when the injected budget is spent, worded like the kernel's. */
export function noSpaceError(file: string): NodeJS.ErrnoException {
  const msg = `ENOSPC: no space left on device, write '${file}' (injected by ${SPACE_FAULT_VAR}=${process.env[SPACE_FAULT_VAR]})`
  return Object.assign(new Error(msg), { code: 'ENOSPC', errno: -28, syscall: 'write', path: file })
}
