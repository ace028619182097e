/**
 * An encrypted run (clara-encrypt: `*.age` files) is restored from a plaintext copy that
 * `clara-encrypt --decrypt --identity FILE --out DIR` builds (hard links where it can), under
 * NEWCLARA/.clara-restore/; the run itself is left as it is. The copy is removed at the end.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { failureLine, runChild } from './child.js'

/** The run's encrypted files (run-relative). */
export async function encryptedFiles(run: string): Promise<string[]> {
  const all = (await fsp.readdir(run, { recursive: true })) as string[]
  return all.filter((f) => f.endsWith('.age')).sort()
}

/** `clara-encrypt` beside this tool in the repo (or $CLARA_ENCRYPT). */
function encryptBin(env: NodeJS.ProcessEnv): string {
  return env.CLARA_ENCRYPT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../encrypt/bin.js')
}

/** Build the plaintext copy at `out`; returns `out`. */
export async function decryptRun(run: string, identities: string[], out: string, env: NodeJS.ProcessEnv): Promise<string> {
  await fsp.rm(out, { recursive: true, force: true })
  await fsp.mkdir(path.dirname(out), { recursive: true })
  const bin = encryptBin(env)
  const args = [bin, '--decrypt', '--quiet', '--run', run, '--out', out, ...identities.flatMap((i) => ['--identity', i])]
  const r = await runChild(process.execPath, args, { env, secrets: [] })
  if (r.code !== 0) throw new ClaraError(`${failureLine('clara-encrypt --decrypt', r)}`, EXIT.FATAL, 'EDECRYPT')
  return out
}
