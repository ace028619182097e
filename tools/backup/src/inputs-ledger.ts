/**
 * The run's `inputs.json`, beside manifest.json (the domain folders hold only what their tools
 * wrote): per domain, the fingerprint of what it read and what it ran with, for the next run's
 * whole-domain reuse (domain-reuse.ts).
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'

export const INPUTS_FILE = 'inputs.json'

export interface InputsDoc {
  version: 1
  domain: string
  /** digest of the options, environment and toolkit build the domain ran with */
  config: string
  /** digest of the stat data of every input (null when it could not be taken) */
  fingerprint: string | null
  entries: number
  taken_at: string
  /** false: a later run must not reuse this domain whole (`why` says why) */
  reusable: boolean
  why?: string
}

export interface LedgerDoc {
  version: 1
  domains: Record<string, InputsDoc>
}

/** A run's inputs.json (empty when it has none, or an unreadable one: nothing to compare with). */
export async function readLedger(runDir: string): Promise<LedgerDoc> {
  try {
    const doc = JSON.parse(await fsp.readFile(path.join(runDir, INPUTS_FILE), 'utf8'))
    if (doc?.version === 1 && doc.domains && typeof doc.domains === 'object') return doc
  } catch {
    // none yet, or unreadable
  }
  return { version: 1, domains: {} }
}

/** The run's inputs.json, written again (atomically, one write at a time) as each domain finishes. */
export class InputsLedger {
  private doc: Promise<LedgerDoc>
  constructor(private runDir: string) {
    // a resumed run keeps what its earlier attempt recorded
    this.doc = readLedger(runDir)
  }

  add(entry: InputsDoc): Promise<void> {
    const next = this.doc.then(async (doc) => {
      const updated = { ...doc, domains: { ...doc.domains, [entry.domain]: entry } }
      await writeJsonAtomic(path.join(this.runDir, INPUTS_FILE), updated, { mode: 0o640 })
      return updated
    })
    this.doc = next
    return next.then(() => undefined)
  }
}
