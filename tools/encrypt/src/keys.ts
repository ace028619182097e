/**
 * Recipients and identities: checked before any file is touched, by asking age itself (one tiny
 * encryption of nothing), so a typo in a key is one usage error rather than one failure per file.
 */
import { spawnSync } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import { ClaraError, EXIT, UsageError } from '@clara/shared/cli'
import type { AgeKeys } from './age.js'

/** Validate the flags for the chosen direction; throws UsageError (exit 2) or ClaraError (age missing, exit 3). */
export async function checkKeys(ageBin: string, k: AgeKeys, decrypt: boolean, out: string | undefined): Promise<void> {
  const nRecipients = (k.recipients?.length ?? 0) + (k.recipientFiles?.length ?? 0)
  if (decrypt) {
    if (!k.identities?.length) throw new UsageError('--decrypt needs --identity FILE')
    if (nRecipients) throw new UsageError('--to/--recipients-file are for encryption; --decrypt takes --identity')
    for (const f of k.identities) await fsp.access(f).catch(() => {
      throw new UsageError(`--identity ${f}: cannot read it`)
    })
    return
  }
  if (out !== undefined) throw new UsageError('--out goes with --decrypt')
  if (k.identities?.length) throw new UsageError('--identity goes with --decrypt (encryption needs only public keys: --to)')
  if (!nRecipients) throw new UsageError('no recipient: give --to age1… or --recipients-file FILE')
  const args = ['--encrypt', ...(k.recipients ?? []).flatMap((r) => ['-r', r]), ...(k.recipientFiles ?? []).flatMap((f) => ['-R', f])]
  const r = spawnSync(ageBin, args, { input: '', encoding: 'utf8' })
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new ClaraError(`${ageBin} not found: install Debian's age`, EXIT.FATAL, 'ENOENT')
  if (r.status !== 0) throw new UsageError(`bad recipient: ${(r.stderr || '').trim().split('\n').filter((l) => !/^age: report unexpected/.test(l))[0] ?? `age exit ${r.status}`}`)
}

/** Every recipient as text (for `age_recipients` in the indexes): flags first, then files' lines. */
export async function recipientList(k: AgeKeys): Promise<string[]> {
  const out = [...(k.recipients ?? [])]
  for (const f of k.recipientFiles ?? []) {
    for (const line of (await fsp.readFile(f, 'utf8')).split('\n')) {
      const t = line.trim()
      if (t && !t.startsWith('#')) out.push(t)
    }
  }
  return out
}
