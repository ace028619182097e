// Running and timing the shell command lines of bench/size.mjs: wall seconds of a whole `bash -o pipefail -c`
// command, after a `sync` so that one step's dirty pages are not written back during the next.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Run `cmd` (bash, pipefail) untimed; stdout ignored, stderr shown. Throws unless the exit code is in `ok`. */
export function sh(cmd, { env = process.env, ok = [0] } = {}) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'], env })
  if (!ok.includes(r.status)) throw new Error(`exit ${r.status ?? r.signal}: ${cmd}`)
  return r.status
}

/** Run `cmd` and capture its stdout (text). */
export function capture(cmd, { env = process.env } = {}) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'pipe', 'inherit'], env, encoding: 'utf8', maxBuffer: 1 << 28 })
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}: ${cmd}`)
  return r.stdout
}

/**
 * CPU seconds (user + system) of every child of this process that has ended and been waited for, and of
 * theirs (Linux's cutime and cstime, /proc/self/stat fields 16 and 17, in clock ticks of 1/100 s): the
 * difference around a command is the CPU of the command's whole process tree, threads included.
 */
export function childCpu() {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // fields from 3 on: the name may hold spaces
  return (Number(f[16 - 3]) + Number(f[17 - 3])) / 100
}

/** Wall and CPU seconds of `cmd`, after `sync` (and `before`, an untimed preparation such as emptying the target). */
export function measured(cmd, { env = process.env, ok = [0], before } = {}) {
  if (before) sh(before)
  sh('sync')
  const [t0, c0] = [process.hrtime.bigint(), childCpu()]
  sh(cmd, { env, ok })
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: childCpu() - c0 }
}

/** Wall seconds of `cmd` (measured). */
export const timed = (cmd, o) => measured(cmd, o).wall

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]

/**
 * Run the commands of `steps` ({name: {cmd, before?, env?}}) `repeat` times, alternating; median wall seconds
 * per name. With `cpu` (an object), also the median CPU seconds per name into it.
 */
export function alternate(steps, repeat, log = () => {}, cpu = null) {
  const t = Object.fromEntries(Object.keys(steps).map((k) => [k, []]))
  const c = Object.fromEntries(Object.keys(steps).map((k) => [k, []]))
  for (let i = 0; i < repeat; i++) {
    for (const [k, s] of Object.entries(steps)) {
      const m = measured(s.cmd, s)
      t[k].push(m.wall)
      c[k].push(m.cpu)
      log(`${k} ${m.wall.toFixed(2)} s (CPU ${m.cpu.toFixed(2)} s)`)
    }
  }
  if (cpu) for (const [k, v] of Object.entries(c)) cpu[k] = Math.round(median(v) * 100) / 100 // clock ticks
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]))
}
