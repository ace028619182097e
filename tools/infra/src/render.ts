/** Turn the captured inputs into the redacted files of `infra/`. */
import { PLACEHOLDER, redactText, type RedactOptions } from '@clara/shared/redact'
import type { CaptureSet } from './capture.js'
import { gitInfo } from './git-info.js'
import { outputName, scrubCollected, type Output } from './infra-dir.js'
import { collectVars, envSample, settingsSnapshot } from './settings-snapshot.js'

export interface RenderOptions {
  clara: string
  gitDir: string
  env: NodeJS.ProcessEnv
  /** snapshot C-LARA's variables from this (the tool's own) environment too */
  processEnv: boolean
  redact: RedactOptions & { collect: Set<string> }
}

export interface Rendered {
  outputs: Output[]
  /** set when the checkout is not a git checkout root */
  notGit?: string
}

const COPIES = { nginx: 'nginx', systemd: 'systemd_units' } as const

/** Every output, redacted, then scrubbed of any value a redactor removed from any input. */
export async function render(set: CaptureSet, o: RenderOptions): Promise<Rendered> {
  const outputs: Output[] = []
  const add = (name: string, text: string, source: string, aliases?: string[]) => {
    const r = redactText(text, o.redact)
    outputs.push({ name, text: r.text, source, redactions: r.count, ...(aliases ? { aliases } : {}) })
  }
  const git = await gitInfo(o.gitDir, o.env)
  add('git_info.txt', git.text, o.gitDir)
  const vars = collectVars(set.captured, o.processEnv ? o.env : undefined)
  const snap = await settingsSnapshot(o.clara, vars, set.captured, o.redact)
  const sources = set.captured.filter((c) => c.kind === 'env-file' || c.kind === 'settings').map((c) => c.source)
  outputs.push({ name: 'settings_snapshot.txt', text: snap.text, source: [...sources, ...(o.processEnv ? ['environment'] : [])].join(', '), redactions: snap.redactions })
  const sample = envSample(vars, o.redact)
  outputs.push({ name: '.env.sample', text: sample.text, source: 'settings_snapshot.txt', redactions: sample.redactions })
  const used = new Set<string>()
  for (const c of set.captured) {
    if (c.kind === 'nginx' || c.kind === 'systemd') add(outputName(COPIES[c.kind], c.source, used), c.text, c.source, c.aliases)
    if (c.kind === 'crontab') add('crontab.txt', c.text, c.source)
  }
  for (const out of outputs) {
    const s = scrubCollected(out.text, o.redact.collect, o.redact.placeholder ?? PLACEHOLDER)
    out.text = s.text
    out.redactions += s.count
  }
  return { outputs, notGit: git.notGit }
}
