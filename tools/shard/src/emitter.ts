/** Records out: artifacts, warnings and errors on stdout (errors and warnings also on stderr), counted for failures.json. */
import type { RecordWriter } from '@clara/shared/ndjson'
import type { Logger } from '@clara/shared/log'
import type { ArtifactRecord, ClaraRecord } from '@clara/shared/records'
import type { FailureEntry, ShardEntry } from './index-doc.js'
import type { Problem } from './tar-writer.js'

export class Emitter {
  errors = 0
  warnings = 0
  failures: FailureEntry[] = []

  constructor(
    private out: RecordWriter,
    private log: Logger,
    private domain: string,
    private group: string,
  ) {}

  async record(rec: ClaraRecord): Promise<void> {
    await this.out.write(rec)
  }

  /** A member or root problem, in the archive `unit` (or the group while collecting). */
  async problem(p: Problem, during: string, unit = this.group): Promise<void> {
    const rec: ClaraRecord = { type: p.kind, during, item: p.item, message: p.message, domain: this.domain, unit }
    if (p.code) rec.code = p.code
    if (p.kind === 'error') {
      this.errors++
      this.log.error(p.item, p.message)
      this.failures.push({ group: this.group, unit, during, item: p.item, message: p.message, ...(p.code ? { code: p.code } : {}) })
    } else {
      this.warnings++
      this.log.warn(p.item, p.message)
    }
    await this.out.write(rec)
  }

  /** An error record that came from upstream: passed through already, remembered for failures.json. */
  upstream(rec: ClaraRecord): void {
    const r = rec as Record<string, unknown>
    this.failures.push({ group: this.group, unit: String(r.unit ?? this.group), during: String(r.during ?? 'list'), item: String(r.item ?? ''), message: String(r.message ?? ''), ...(r.code ? { code: String(r.code) } : {}) })
  }

  async artifact(e: ShardEntry, planned = false): Promise<void> {
    const rec: ArtifactRecord = {
      type: 'artifact',
      domain: this.domain,
      unit: e.name,
      path: `${this.domain}/${e.path}`,
      size_bytes: e.size_bytes,
      sha256: e.sha256,
      files: e.files,
      compression: e.compression,
      members_path: `${this.domain}/${e.members_path}`,
      members_sha256: e.members_sha256,
    }
    if (planned) rec.planned = true
    if (e.reused) rec.reused = true
    this.log.detail(`${e.name}: ${e.files} files, ${e.size_bytes} bytes${e.reused ? ' (reused)' : ''}`)
    await this.out.write(rec)
  }
}
