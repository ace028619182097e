/** The CPU time of the calling thread alone (process.cpuUsage() counts every thread of the process). */
import { readFileSync } from 'node:fs'

/** This thread's CPU time so far, in ms (Linux: utime + stime of /proc/thread-self/stat, in ticks of 10 ms); NaN elsewhere. */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return NaN
  }
}
