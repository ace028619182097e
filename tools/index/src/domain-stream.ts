/** Read a whole record stream and keep what one domain's index needs. Nothing is written while reading. */
import type { ArtifactRecord, ClaraRecord, ErrorRecord, NotStoredRecord } from '@clara/shared/records'

export interface DomainStream {
  artifacts: ArtifactRecord[]
  errors: ErrorRecord[]
  /** units left out on purpose (secret units of a run that does not encrypt) */
  notStored: NotStoredRecord[]
  /** `planned: true` artifacts (a --dry-run upstream): never indexed */
  planned: number
  /** artifacts and errors of other domains */
  ignored: number
  /** the planned artifacts and the errors, in stream order: what a dry run passes on as its plan */
  plan: ClaraRecord[]
}

/** A record belongs to `domain` when it says so, or says no domain at all. */
function ours(rec: ClaraRecord, domain: string): boolean {
  const d = (rec as { domain?: unknown }).domain
  return d === undefined || d === domain
}

/** Collect the domain's artifact, error and not_stored records; every other record type is ignored (this is a sink). */
export async function readDomainStream(records: AsyncIterable<ClaraRecord>, domain: string): Promise<DomainStream> {
  const s: DomainStream = { artifacts: [], errors: [], notStored: [], planned: 0, ignored: 0, plan: [] }
  for await (const rec of records) {
    if (rec.type !== 'artifact' && rec.type !== 'error' && rec.type !== 'not_stored') continue
    if (!ours(rec, domain)) s.ignored++
    else if (rec.type === 'not_stored') {
      s.notStored.push(rec as NotStoredRecord)
      s.plan.push(rec)
    }
    else if (rec.type === 'error') {
      s.errors.push(rec as ErrorRecord)
      s.plan.push(rec)
    } else if ((rec as ArtifactRecord).planned) {
      s.planned++
      s.plan.push(rec)
    } else s.artifacts.push(rec as ArtifactRecord)
  }
  return s
}
