/**
 * Stream one file through Debian's `age` binary into an atomic file, hashing both sides on the
 * way: encryption needs only the public recipients, decryption an identity file. Nothing
 * appears under the final name unless age succeeded and (for decryption) the plaintext matched.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { AtomicFile, type WriteResult } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { HashStream, hashFile, type Digest } from '@clara/shared/hash'

export interface AgeKeys {
  /** age1… (or ssh-…) recipients, for encryption */
  recipients?: string[]
  /** recipients files (`age -R`) */
  recipientFiles?: string[]
  /** identity files (`age -i`), for decryption */
  identities?: string[]
}

export interface AgeResult {
  /** what was read */
  input: Digest
  /** what was committed */
  output: WriteResult
}

/** The digest the output must have, checked before the file is committed. */
export interface Expect {
  sha256: string
  size?: number
}

/** A mismatch between recorded and actual bytes (exit 12 territory). */
export class MismatchError extends Error {
  code = 'EMISMATCH'
}

function ageArgs(mode: 'encrypt' | 'decrypt', k: AgeKeys): string[] {
  if (mode === 'encrypt') return ['--encrypt', ...(k.recipients ?? []).flatMap((r) => ['-r', r]), ...(k.recipientFiles ?? []).flatMap((f) => ['-R', f])]
  return ['--decrypt', ...(k.identities ?? []).flatMap((i) => ['-i', i])]
}

/**
 * Run `age` over `src` into `dest` (atomic, mode 640). With `expect`, the output's sha256 must match
 * or nothing is written; `expectInput` checks the bytes read (e.g. the stored ciphertext).
 */
export async function runAge(
  bin: string,
  mode: 'encrypt' | 'decrypt',
  keys: AgeKeys,
  src: string,
  dest: string,
  check: { expect?: Expect; expectInput?: Expect } = {},
): Promise<AgeResult> {
  const child = spawn(bin, ageArgs(mode, keys), { stdio: ['pipe', 'pipe', 'pipe'] })
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new ClaraError(`${bin} not found: install Debian's age (scripts/test-deps.sh does)`, EXIT.FATAL, 'ENOENT') : err),
    )
    child.on('close', (code) => resolve(code ?? 1))
  })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const inHash = new HashStream()
  const outHash = createHash('sha256')
  const f = await AtomicFile.open(dest, { mode: 0o640 })
  try {
    const feed = pipeline(createReadStream(src, { highWaterMark: 1 << 20 }), inHash, child.stdin)
    const drain = (async () => {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        outHash.update(chunk)
        await f.write(chunk)
      }
    })()
    const [code, fed, drained] = await Promise.allSettled([exited, feed, drain])
    if (code.status === 'rejected') throw code.reason
    if (code.value !== 0) {
      const msg = `age ${mode}: ${stderr.trim().split('\n').filter((l) => !/report unexpected/.test(l)).pop() || `exit ${code.value}`}`
      // age stops at the first bad chunk; tell corrupted stored bytes from a wrong key
      if (check.expectInput && (await hashFile(src)).sha256 !== check.expectInput.sha256) throw new MismatchError(`stored bytes differ from the recorded sha256 (${msg})`)
      throw new Error(msg)
    }
    if (fed.status === 'rejected') throw fed.reason
    if (drained.status === 'rejected') throw drained.reason
    const input = inHash.digest()
    const sha = outHash.digest('hex')
    mustMatch('input', input, check.expectInput)
    mustMatch('output', { sha256: sha, bytes: f.size }, check.expect)
    return { input, output: await f.commit() }
  } catch (err) {
    child.kill()
    await f.abort()
    throw err
  }
}

function mustMatch(what: string, got: Digest, want?: Expect): void {
  if (!want) return
  if (want.size !== undefined && got.bytes !== want.size) throw new MismatchError(`${what} is ${got.bytes} bytes, recorded ${want.size}`)
  if (got.sha256 !== want.sha256) throw new MismatchError(`${what} sha256 ${got.sha256.slice(0, 12)}… differs from the recorded ${want.sha256.slice(0, 12)}…`)
}
