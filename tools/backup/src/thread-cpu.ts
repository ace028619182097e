/** The CPU time of the calling thread alone (process.cpuUsage() counts every thread of the process). */
import { readFileSync } from 'node:fs'
import { statFields } from './proc-tree.js'

/** This thread's CPU time so far, in ms (Linux: utime + stime of /proc/thread-self/stat, in ticks of 10 ms); NaN elsewhere. */
export function threadCpuMs(): number {
  try {
    const f = statFields(readFileSync('/proc/thread-self/stat', 'utf8'))
    return (Number(f[14 - 3]) + Number(f[15 - 3])) * 10 // utime, stime
  } catch {
    return NaN
  }
}
