/** Collect every input: env and settings files, nginx sites, systemd units (and their EnvironmentFile=s), the crontab. */
import path from 'node:path'
import { captureFiles, emptySet, type CaptureSet } from './capture.js'
import { claraSecretFiles } from './clara-env.js'
import { captureCrontab, ownerOf } from './crontab.js'
import { DEFAULT_NGINX, DEFAULT_SYSTEMD, NONE } from './defaults.js'
import { unitEnvironmentFiles } from './env-file.js'

export interface GatherOptions {
  clara: string
  cwd: string
  env: NodeJS.ProcessEnv
  envFiles: string[]
  settings: string[]
  nginx?: string[]
  systemd?: string[]
  crontab?: string
  crontabUser?: string
}

const abs = (cwd: string, ps: string[]) => ps.map((p) => path.resolve(cwd, p))
const off = (ps?: string[]) => ps?.length === 1 && ps[0] === NONE

/** A file that is a secret as a whole (a licence key) is never copied, even when named as an input. */
function refuseSecretFiles(clara: string, set: CaptureSet): void {
  const secret = new Set(claraSecretFiles(clara))
  for (const c of set.captured.filter((c) => secret.has(c.source))) {
    set.missing.push({ kind: c.kind, source: c.source, reason: 'a secret file: listed in settings_snapshot.txt, never copied' })
  }
  set.captured = set.captured.filter((c) => !secret.has(c.source))
}

/** Read all inputs; nothing here throws for a missing or unreadable input. */
export async function gather(o: GatherOptions): Promise<CaptureSet> {
  const set = emptySet()
  await captureFiles('env-file', abs(o.cwd, o.envFiles), set)
  await captureFiles('settings', abs(o.cwd, o.settings), set)
  if (!off(o.nginx)) await captureFiles('nginx', abs(o.cwd, o.nginx?.length ? o.nginx : DEFAULT_NGINX), set)
  if (!off(o.systemd)) await captureFiles('systemd', abs(o.cwd, o.systemd?.length ? o.systemd : DEFAULT_SYSTEMD), set)
  // A unit's EnvironmentFile= is where a service really gets its secrets: capture it as an env file.
  const known = new Set(set.captured.filter((c) => c.kind === 'env-file').map((c) => c.source))
  const linked = set.captured.filter((c) => c.kind === 'systemd').flatMap((c) => unitEnvironmentFiles(c.text))
  const extra = [...new Set(linked)].filter((f) => path.isAbsolute(f) && !known.has(f))
  if (extra.length) await captureFiles('env-file', extra, set)
  refuseSecretFiles(o.clara, set)
  if (o.crontab === NONE) return set
  if (o.crontab) await captureFiles('crontab', abs(o.cwd, [o.crontab]), set)
  else await captureCrontab(o.crontabUser ?? (await ownerOf(o.clara)), o.env, set)
  return set
}
