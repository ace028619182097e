// The command lines bench/size.mjs times besides bench/backup.sh and tools/verify/bench.mjs: the read-and-hash
// limit of a full backup, and clara-restore against plain `unzip` + `tar x` of the same artifacts.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { capture } from './timing.mjs'

const q = (s) => `'${String(s).replaceAll("'", "'\\''")}'`

/**
 * The physical floor of a full backup: read every byte of the install once and hash it, with no archive
 * format, no compression and no writes (`tar cf - <roots> | openssl dgst -sha256`). The roots are the whole
 * install minus what the backup leaves out too (tmp/, sockets); the app code and templates that this also
 * reads are a few hundred KB.
 */
export function readAndHash(clara) {
  return `tar cf - --warning=no-file-ignored --exclude=./tmp --exclude='*.sock' -C ${q(clara)} . | openssl dgst -sha256 > /dev/null`
}

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
