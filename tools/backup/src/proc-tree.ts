/** The processes below a pid (Linux /proc), to pass a signal on to a whole domain pipeline. */
import { readdirSync, readFileSync } from 'node:fs'

/**
 * The fields of a /proc stat line from the third (state) on: "pid (comm) state ppid …", where comm may hold
 * spaces and parentheses, so the split is after the last ')'. Field n of proc(5) is `[n - 3]`.
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** Parent pid of every running process, read from /proc/<pid>/stat. */
function parents(): Map<number, number> {
  const m = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const ppid = Number(statFields(readFileSync(`/proc/${name}/stat`, 'utf8'))[4 - 3])
      m.set(Number(name), ppid)
    } catch {
      // the process ended while we looked
    }
  }
  return m
}

/** Every descendant of `pid` (children first, then theirs), not `pid` itself. */
export function descendants(pid: number): number[] {
  const pp = parents()
  const out: number[] = []
  let level = [pid]
  while (level.length) {
    const next = [...pp].filter(([, ppid]) => level.includes(ppid)).map(([p]) => p)
    out.push(...next)
    level = next
  }
  return out
}

/** `pid` and everything below it, as they are now. */
export const processTree = (pid: number): number[] => [pid, ...descendants(pid)]

/** Send `sig` to each of `pids`; processes that are gone are ignored. */
export function signalAll(pids: number[], sig: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      process.kill(p, sig)
    } catch {
      // already gone
    }
  }
}

/** Send `sig` to `pid` and everything below it; processes that are gone are ignored. */
export function killTree(pid: number, sig: NodeJS.Signals): void {
  signalAll(processTree(pid), sig)
}
