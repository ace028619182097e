// The command lines bench/size.mjs times besides bench/backup.sh, bench/peers.mjs and tools/verify/bench.mjs:
// clara-restore against plain `unzip` + `tar x` of the same artifacts.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { capture } from './timing.mjs'

export const q = (s) => `'${String(s).replaceAll("'", "'\\''")}'`

/** The artifacts of a run, by kind: zips, tar shards (.tar/.tgz), database dumps. Lists written under `work`. */
export function artifactLists(run, work) {
  const find = (expr) => capture(`find ${q(run)} -type f ${expr} | sort`).split('\n').filter(Boolean)
  const lists = {
    zips: find(`-name '*.zip'`),
    shards: find(`\\( -name '*.tar' -o -name '*.tgz' \\)`),
    dbs: find(`-path '*/db/*' \\( -name '*.sqlite3' -o -name '*.dump' -o -name '*.sql' \\)`),
  }
  for (const [k, v] of Object.entries(lists)) writeFileSync(path.join(work, `${k}.txt`), v.join('\n') + (v.length ? '\n' : ''))
  return lists
}

/**
 * The naive restore: `unzip -q` of every zip into its own folder, `tar xf` of every shard, and a copy of the
 * database dump (clara-restore loads it too), into the scratch folder `to`. No path migration, no checks.
 */
export function unpackAll(work, to) {
  return [
    `mkdir -p ${q(to)}/audio`,
    `i=0; while IFS= read -r z; do i=$((i+1)); unzip -q -o "$z" -d ${q(to)}/z$i; done < ${q(path.join(work, 'zips.txt'))}`,
    `while IFS= read -r t; do tar xf "$t" -C ${q(to)}/audio; done < ${q(path.join(work, 'shards.txt'))}`,
    `while IFS= read -r d; do cp "$d" ${q(to)}/; done < ${q(path.join(work, 'dbs.txt'))}`,
  ].join(' && ')
}

/** clara-restore of the whole run, sources included, into `to` with a SQLite database there; records to `records`. */
export function restoreCmd(repo, run, to, records) {
  const bin = path.join(repo, 'tools/restore/bin.js')
  return `node ${q(bin)} ${q(run)} --to ${q(to)} --db ${q(`sqlite://${to}/db.sqlite3`)} --sources --quiet > ${q(records)}`
}
