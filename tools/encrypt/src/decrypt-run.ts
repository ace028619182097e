/**
 * Decrypt a run's `*.age` files for restore, checking each against the digests its documents
 * recorded (stored bytes before, plaintext after; nothing is committed on a mismatch).
 * In place: plaintexts appear, documents are unsealed, then the `.age` files go (the mirror of
 * encryption's order). With `outDir`: the run is left untouched and a plaintext copy is built
 * there (other files hard-linked, or copied across filesystems), manifest.json written last.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { isTempName } from '@clara/shared/atomic'
import { ClaraError } from '@clara/shared/cli'
import { walkTree } from '@clara/shared/walk'
import { runAge, MismatchError } from './age.js'
import { DocSet, keepGroup } from './doc-set.js'
import type { RunCtx } from './encrypt-run.js'
import { adjustManifest } from './manifest-bytes.js'
import { linkOrCopy, mirrorRun } from './mirror.js'
import { findSealed, unsealDoc, type Sealed } from './seal-json.js'
import { AGE_EXT } from './select.js'

export interface DecryptResult {
  opened: Sealed[]
  failed: number
  mismatched: number
}

/** The `.age` files of a run, run-relative, sorted. */
export async function sealedFiles(runDir: string): Promise<string[]> {
  const out: string[] = []
  for await (const e of walkTree(runDir)) if (e.kind === 'file' && e.rel.endsWith(AGE_EXT) && !isTempName(path.basename(e.rel))) out.push(e.rel)
  return out
}

async function recorded(docs: DocSet, storedRel: string): Promise<ReturnType<typeof findSealed>> {
  for (const d of await docs.docsFor(storedRel)) {
    const found = findSealed(await docs.get(d), storedRel, path.posix.dirname(d))
    if (found) return found
  }
  return null
}

async function openOne(c: RunCtx, docs: DocSet, storedRel: string, destRoot: string): Promise<Sealed> {
  const rel = storedRel.slice(0, -AGE_EXT.length)
  const want = await recorded(docs, storedRel)
  const src = path.join(c.runDir, storedRel)
  const { input, output } = await runAge(c.ageBin, 'decrypt', c.keys, src, path.join(destRoot, rel), want ? { expect: want.plain, expectInput: want.stored } : {})
  await keepGroup(output.path, (await fsp.lstat(src)).gid)
  await c.emit({ type: 'decrypted', path: rel, encrypted_path: storedRel, size_bytes: output.size_bytes, sha256: output.sha256, verified: want !== null })
  if (!want) await c.emit({ type: 'warning', during: 'decrypt', item: storedRel, message: 'no recorded plaintext sha256: decrypted without a check' })
  return { rel, plain: { size: output.size_bytes, sha256: output.sha256 }, stored: { size: input.bytes, sha256: input.sha256 } }
}

/** Decrypt every `.age` file of `c.runDir`, in place or into `outDir`. */
export async function decryptRun(c: RunCtx, outDir?: string): Promise<DecryptResult> {
  const res: DecryptResult = { opened: [], failed: 0, mismatched: 0 }
  const docs = new DocSet(c.runDir)
  const destRoot = outDir ?? c.runDir
  const stored = await sealedFiles(c.runDir)
  if (outDir) await mirrorRun(c.runDir, outDir, (rel) => rel.endsWith(AGE_EXT) || rel === 'manifest.json')
  for (const s of stored) {
    try {
      res.opened.push(await openOne(c, docs, s, destRoot))
    } catch (err) {
      if (err instanceof ClaraError) throw err
      if (err instanceof MismatchError) res.mismatched++
      else res.failed++
      await c.fail(s, err)
      if (outDir) await linkOrCopy(path.join(c.runDir, s), path.join(outDir, s)) // the copy stays consistent with its documents
    }
  }
  const byDoc = new Map<string, Sealed[]>()
  for (const f of res.opened) for (const d of await docs.docsFor(f.rel)) byDoc.set(d, [...(byDoc.get(d) ?? []), f])
  for (const [rel, files] of byDoc) {
    const doc = await docs.get(rel)
    if (!doc) continue
    if (unsealDoc(doc, files, path.posix.dirname(rel)).found.size) docs.changed(rel)
  }
  const deltas = await docs.flush(destRoot)
  if (!outDir) for (const f of res.opened) await fsp.unlink(path.join(c.runDir, f.rel + AGE_EXT))
  await adjustManifest(c.runDir, destRoot, deltas)
  return res
}
