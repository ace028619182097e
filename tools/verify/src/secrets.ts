/** infra/ (verdict `secrets`): no planted-secret pattern anywhere in the captured configuration. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { scanForSecrets } from '@clara/shared/redact'
import { listFiles } from './disk.js'

export interface SecretScan {
  files: number
  skipped: string[]
  /** file → finding summaries (kind and line, never the secret) */
  found: Map<string, string[]>
}

/** Scan every file under `<run>/<domain>/` (stored-encrypted `.age` files cannot be read and are skipped). */
export async function scanSecrets(runDir: string, domain = 'infra'): Promise<SecretScan> {
  const out: SecretScan = { files: 0, skipped: [], found: new Map() }
  for (const f of await listFiles(path.join(runDir, domain))) {
    const rel = `${domain}/${f}`
    if (f.endsWith('.age')) {
      out.skipped.push(rel)
      continue
    }
    out.files++
    const findings = scanForSecrets(await fsp.readFile(path.join(runDir, rel)))
    if (findings.length) out.found.set(rel, findings.map((x) => `${x.kind}${x.name ? ` (${x.name})` : ''} at line ${x.line}`))
  }
  return out
}
