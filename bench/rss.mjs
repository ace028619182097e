// Peak RSS of every clara-* tool a measured step runs, however deeply the step nests them (clara-backup →
// bash scripts/backup_*.sh → clara-list-projects | clara-zip-unit | clara-index …): the step runs with
// NODE_OPTIONS preloading bench/rss-hook.mjs, which every node process inherits through its environment and
// which logs that process's own peak on exit. Non-node helpers (bash, tar) are not clara tools and are not logged.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const hook = fileURLToPath(new URL('./rss-hook.mjs', import.meta.url))

/** `env` plus what makes every node process under it log its peak RSS to `logFile`. */
export function rssEnv(logFile, env = process.env) {
  const prior = env.NODE_OPTIONS ? ` ${env.NODE_OPTIONS}` : ''
  return { ...env, CLARA_BENCH_RSS_LOG: path.resolve(logFile), NODE_OPTIONS: `--import "${hook}"${prior}` }
}

/** The clara tool a node process ran, from its main script (`tools/<name>/bin.js`, `@clara/<name>/bin.js`). */
export function toolOf(script) {
  const m = /(?:^|\/)(?:tools|@clara)\/([^/]+)\/(?:bin\.js|dist\/src\/bin\.js)$/.exec(script)
  return m ? `clara-${m[1]}` : null
}

/** Per tool: the largest peak RSS (MB) over its processes in `logFile`, and how many processes were logged. */
export function toolPeaks(logFile) {
  const peaks = new Map()
  if (!existsSync(logFile)) return peaks
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line) continue
    const r = JSON.parse(line)
    const tool = toolOf(r.script)
    if (!tool) continue
    const p = peaks.get(tool) ?? { mb: 0, processes: 0 }
    peaks.set(tool, { mb: Math.max(p.mb, r.max_rss_kb / 1024), processes: p.processes + 1 })
  }
  return peaks
}

/** Merge several toolPeaks maps: the largest peak per tool, process counts summed. */
export function mergePeaks(...maps) {
  const all = new Map()
  for (const m of maps) {
    for (const [tool, p] of m) {
      const q = all.get(tool) ?? { mb: 0, processes: 0 }
      all.set(tool, { mb: Math.max(q.mb, p.mb), processes: q.processes + p.processes })
    }
  }
  return all
}
