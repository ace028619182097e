/**
 * Which files of a run get encrypted: every file of the named domains (db/, infra/ by default)
 * and every file of a unit whose metadata.json says `"secret": true`, except the documents that
 * describe them (index.json, failures.json, metadata files), which stay readable for verify.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { isTempName } from '@clara/shared/atomic'
import { walkTree } from '@clara/shared/walk'

export const AGE_EXT = '.age'

export interface Target {
  /** plaintext path, relative to the run dir */
  rel: string
  domain: string
  why: 'domain' | 'secret unit'
}

/** index.json, failures.json, metadata.json, db_metadata.json, x.metadata.json: readable documents. */
export function isDocName(name: string): boolean {
  return name === 'index.json' || name === 'failures.json' || /(^|[._-])metadata\.json$/.test(name)
}

/** A file that is data to encrypt (not a document, a temp file or already encrypted). */
export function isPayload(name: string): boolean {
  return !isDocName(name) && !isTempName(name) && !name.endsWith(AGE_EXT) && name !== 'keep'
}

async function payloadFiles(runDir: string, sub: string): Promise<string[]> {
  const out: string[] = []
  for await (const e of walkTree(path.join(runDir, sub))) {
    const rel = `${sub}/${e.rel}`
    if (e.kind === 'file' && isPayload(path.basename(rel))) out.push(rel)
  }
  return out
}

async function isDir(p: string): Promise<boolean> {
  return (await fsp.lstat(p).catch(() => null))?.isDirectory() ?? false
}

/** Units (`<domain>/<unit>/`) whose metadata.json has `"secret": true`. */
export async function secretUnits(runDir: string, skipDomains: string[]): Promise<string[]> {
  const units: string[] = []
  for (const d of await fsp.readdir(runDir, { withFileTypes: true })) {
    if (!d.isDirectory() || skipDomains.includes(d.name) || d.name.startsWith('.')) continue
    for (const u of await fsp.readdir(path.join(runDir, d.name), { withFileTypes: true })) {
      if (!u.isDirectory()) continue
      const text = await fsp.readFile(path.join(runDir, d.name, u.name, 'metadata.json'), 'utf8').catch(() => null)
      if (text === null) continue
      try {
        if (JSON.parse(text)?.secret === true) units.push(`${d.name}/${u.name}`)
      } catch {
        // an unreadable metadata.json is the unit writer's problem; verify reports it
      }
    }
  }
  return units.sort()
}

/** Every file to encrypt, sorted, each once. */
export async function selectTargets(runDir: string, domains: string[], withSecretUnits: boolean): Promise<Target[]> {
  const targets = new Map<string, Target>()
  for (const d of domains) {
    if (!(await isDir(path.join(runDir, d)))) continue
    for (const rel of await payloadFiles(runDir, d)) targets.set(rel, { rel, domain: d, why: 'domain' })
  }
  if (withSecretUnits) {
    for (const unit of await secretUnits(runDir, domains)) {
      const domain = unit.split('/')[0]
      for (const rel of await payloadFiles(runDir, unit)) if (!targets.has(rel)) targets.set(rel, { rel, domain, why: 'secret unit' })
    }
  }
  return [...targets.values()].sort((a, b) => (a.rel < b.rel ? -1 : 1))
}
