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

/**
 * One buffer per thread for the zips read whole, reused from one zip to the next (a new one per
 * unit grew the memory of each lane). So nothing of a zip read whole may be kept once it is
 * unpacked: members are written at once, symlink targets copied (zip-unpack.ts).
 */
let scratch = Buffer.alloc(0)

function readWhole(file: string, size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, 1 << 20))
  const fd = fs.openSync(file, 'r')
  try {
    let off = 0
    for (let n; off < size && (n = fs.readSync(fd, scratch, off, size - off, off)) > 0; ) off += n
    return scratch.subarray(0, off)
  } finally {
    fs.closeSync(fd)
  }
}

/** Open a zip artifact whose sha256 holds (from one read when it is small). `close()` it when done. */
export async function openVerifiedZip(a: Artifact): Promise<ZipSync> {
  const size = fs.statSync(a.abs).size
  if (size <= WHOLE_ZIP_BYTES) {
    const buf = readWhole(a.abs, size)
    const got = sha256(buf)
    if (got !== a.sha256) throw mismatch(a, got)
    return ZipSync.fromBuffer(buf)
  }
  await verifyArtifact(a)
  return ZipSync.open(a.abs)
}
