// Preloaded into every node process of a measured step (NODE_OPTIONS=--import, see bench/rss.mjs): when the
// process exits, append its own peak resident set size to $CLARA_BENCH_RSS_LOG as one JSON line. The figure is
// the kernel's high-water mark for the whole process (getrusage RUSAGE_SELF ru_maxrss, every thread included, so
// clara-zip-unit's and clara-shard's worker threads count), exact rather than sampled. No tool knows of this.
import { appendFileSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'

const log = process.env.CLARA_BENCH_RSS_LOG
if (log && isMainThread) {
  process.on('exit', (code) => {
    const line = { script: process.argv[1] ?? '', args: process.argv.slice(2, 6), pid: process.pid, code, max_rss_kb: process.resourceUsage().maxRSS }
    try {
      appendFileSync(log, JSON.stringify(line) + '\n')
    } catch {}
  })
}
