/**
 * Encrypt the selected files of one run, crash-safely, in three steps:
 * 1. each `x` → `x.age` (atomic); 2. the documents describing them are sealed (atomic);
 * 3. the plaintexts are removed. A crash before 3 leaves plaintexts that a rerun encrypts again
 * (sealing is idempotent); a crash never leaves a document naming a file that is not there.
 * Files hard-linked into other runs are only unlinked here, never changed in place.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { fsyncDir } from '@clara/shared/atomic'
import { ClaraError } from '@clara/shared/cli'
import type { ClaraRecord } from '@clara/shared/records'
import { runAge, type AgeKeys } from './age.js'
import { DocSet, keepGroup } from './doc-set.js'
import { adjustManifest } from './manifest-bytes.js'
import { sealDoc, type Sealed } from './seal-json.js'
import { AGE_EXT, type Target } from './select.js'

export interface RunCtx {
  runDir: string
  keys: AgeKeys
  ageBin: string
  emit: (rec: ClaraRecord) => Promise<void>
  /** a per-file failure: reported, the run goes on */
  fail: (item: string, err: unknown) => Promise<void>
}

async function encryptOne(c: RunCtx, t: Target): Promise<Sealed> {
  const src = path.join(c.runDir, t.rel)
  const st = await fsp.lstat(src)
  const { input, output } = await runAge(c.ageBin, 'encrypt', c.keys, src, src + AGE_EXT)
  await keepGroup(output.path, st.gid)
  return { rel: t.rel, plain: { size: input.bytes, sha256: input.sha256 }, stored: { size: output.size_bytes, sha256: output.sha256 } }
}

/** Seal every document that describes a sealed file; `warn` names files no domain index lists. */
export async function sealDocs(docs: DocSet, sealed: Sealed[], recipients: string[], warn: (rel: string) => Promise<void>): Promise<void> {
  const byDoc = new Map<string, Sealed[]>()
  for (const f of sealed) for (const d of await docs.docsFor(f.rel)) byDoc.set(d, [...(byDoc.get(d) ?? []), f])
  const indexed = new Set<string>()
  for (const [rel, files] of byDoc) {
    const doc = await docs.get(rel)
    if (!doc) continue
    const isIndex = path.posix.basename(rel) === 'index.json'
    const { found } = sealDoc(doc, files, path.posix.dirname(rel), isIndex)
    if (!found.size) continue
    docs.changed(rel)
    if (isIndex && rel.split('/').length === 2) {
      for (const f of found) indexed.add(f)
      if (!Array.isArray(doc)) {
        const o = doc as { age_recipients?: string[] }
        o.age_recipients = [...new Set([...(o.age_recipients ?? []), ...recipients])].sort()
      }
    }
  }
  for (const f of sealed) if (!indexed.has(f.rel)) await warn(f.rel)
}

/** Encrypt `targets` in `c.runDir`; returns how many failed. */
export async function encryptRun(c: RunCtx, targets: Target[], recipients: string[]): Promise<{ sealed: Sealed[]; failed: number }> {
  const sealed: Sealed[] = []
  let failed = 0
  for (const t of targets) {
    try {
      sealed.push(await encryptOne(c, t))
    } catch (err) {
      if (err instanceof ClaraError) throw err // age missing: nothing else will work either
      failed++
      await c.fail(t.rel, err)
    }
  }
  const docs = new DocSet(c.runDir)
  await sealDocs(docs, sealed, recipients, (rel) =>
    c.emit({ type: 'warning', during: 'encrypt', item: rel, message: 'no entry in its domain index.json: sealed without an index record' }),
  )
  const deltas = await docs.flush()
  const dirs = new Set<string>()
  for (const f of sealed) {
    await fsp.unlink(path.join(c.runDir, f.rel))
    dirs.add(path.dirname(path.join(c.runDir, f.rel)))
  }
  for (const d of dirs) await fsyncDir(d)
  await adjustManifest(c.runDir, c.runDir, deltas)
  for (const f of sealed) {
    await c.emit({ type: 'encrypted', path: f.rel + AGE_EXT, plaintext_path: f.rel, size_bytes: f.stored.size, sha256: f.stored.sha256, plaintext_size: f.plain.size, plaintext_sha256: f.plain.sha256 })
  }
  return { sealed, failed }
}
