/** The backup domains, in the design's order, and the script that produces each. */

export interface Domain {
  /** short name used by --domains and in logs */
  name: string
  /** folder under the run directory */
  dir: string
  /** thin wrapper under scripts/ */
  script: string
  /** only run when asked for (--snapshots) */
  optional?: boolean
}

export const DOMAINS: Domain[] = [
  { name: 'source', dir: 'source_exports', script: 'backup_source.sh' },
  { name: 'compiled', dir: 'compiled_exports', script: 'backup_compiled.sh' },
  { name: 'legacy', dir: 'legacy_zips', script: 'backup_legacy.sh' },
  { name: 'db', dir: 'db', script: 'backup_db.sh' },
  { name: 'audio', dir: 'audio_cache', script: 'backup_audio_cache.sh' },
  { name: 'media', dir: 'media', script: 'backup_media.sh' },
  { name: 'infra', dir: 'infra', script: 'backup_infra.sh' },
  { name: 'snapshots', dir: 'snapshots', script: 'backup_snapshots.sh', optional: true },
]

/** The domains a run does: all non-optional ones (plus snapshots when enabled), or an explicit list. */
export function selectDomains(list: string[], snapshots: boolean): Domain[] {
  if (list.length === 0) return DOMAINS.filter((d) => !d.optional || snapshots)
  const unknown = list.filter((n) => !DOMAINS.some((d) => d.name === n || d.dir === n))
  if (unknown.length) throw new Error(`unknown domain(s): ${unknown.join(', ')} (known: ${DOMAINS.map((d) => d.name).join(', ')})`)
  return DOMAINS.filter((d) => list.includes(d.name) || list.includes(d.dir) || (snapshots && d.optional))
}

/** A run that leaves out a default domain covers only part of the install. */
export function missesDefaults(domains: Domain[]): boolean {
  return DOMAINS.some((d) => !d.optional && !domains.includes(d))
}
