/**
 * An artifact's sha256 is checked against the run's record before anything of it is put in place.
 * A zip small enough is read once: hashed and unpacked from the same buffer.
 */
import fs from 'node:fs'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { hashFile, sha256 } from '@clara/shared/hash'
import { ZipSync } from '@clara/shared/zip-sync'
import type { Artifact } from './run-plan.js'

/** Zips up to this size are held in memory while they are unpacked. */
export const WHOLE_ZIP_BYTES = 16 * 2 ** 20

export function mismatch(a: Artifact, got: string): ClaraError {
  return new ClaraError(`${a.path}: sha256 ${got} differs from the recorded ${a.sha256}: the artifact is damaged`, EXIT.PARTIAL, 'EMISMATCH')
}

/** Hash the whole file (a separate read). */
export async function verifyArtifact(a: Artifact): Promise<void> {
  const { sha256: got } = await hashFile(a.abs)
  if (got !== a.sha256) throw mismatch(a, got)
}

/** Open a zip artifact whose sha256 holds (from one read when it is small). `close()` it when done. */
export async function openVerifiedZip(a: Artifact): Promise<ZipSync> {
  if (fs.statSync(a.abs).size <= WHOLE_ZIP_BYTES) {
    const buf = fs.readFileSync(a.abs)
    const got = sha256(buf)
    if (got !== a.sha256) throw mismatch(a, got)
    return ZipSync.fromBuffer(buf)
  }
  await verifyArtifact(a)
  return ZipSync.open(a.abs)
}
