// Running and timing the shell command lines of bench/size.mjs: wall seconds of a whole `bash -o pipefail -c`
// command, after a `sync` so that one step's dirty pages are not written back during the next.
import { spawnSync } from 'node:child_process'

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

/** Wall seconds of `cmd`, after `sync` (and `before`, an untimed preparation such as emptying the target). */
export function timed(cmd, { env = process.env, ok = [0], before } = {}) {
  if (before) sh(before)
  sh('sync')
  const t0 = process.hrtime.bigint()
  sh(cmd, { env, ok })
  return Number(process.hrtime.bigint() - t0) / 1e9
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]

/** Run the commands of `steps` ({name: {cmd, before?, env?}}) `repeat` times, alternating; median seconds per name. */
export function alternate(steps, repeat, log = () => {}) {
  const t = Object.fromEntries(Object.keys(steps).map((k) => [k, []]))
  for (let i = 0; i < repeat; i++) {
    for (const [k, s] of Object.entries(steps)) {
      t[k].push(timed(s.cmd, s))
      log(`${k} ${t[k].at(-1).toFixed(2)} s`)
    }
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]))
}
