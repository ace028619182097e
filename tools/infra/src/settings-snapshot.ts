/** `settings_snapshot.txt` and `.env.sample`: C-LARA's variables from every input, secrets redacted. */
import { promises as fsp } from 'node:fs'
import { isPlaceholder, PLACEHOLDER, redactText, secretByName, type RedactOptions } from '@clara/shared/redact'
import type { Captured } from './capture.js'
import { CLARA_VARS, claraSecretFiles } from './clara-env.js'
import { parseEnvAssignments, unitEnvironment } from './env-file.js'

export interface Var {
  value: string
  sources: string[]
}

export interface Rendered {
  text: string
  redactions: number
}

/** Variables by name; later inputs win: the process environment, then env files, then unit Environment= lines. */
export function collectVars(inputs: Captured[], processEnv?: NodeJS.ProcessEnv): Map<string, Var> {
  const vars = new Map<string, Var>()
  const add = (name: string, value: string, source: string) => {
    const v = vars.get(name)
    vars.set(name, { value, sources: [...new Set([...(v?.sources ?? []), source])] })
  }
  for (const name of CLARA_VARS) if (processEnv?.[name] !== undefined) add(name, processEnv[name]!, 'environment')
  for (const c of inputs) {
    if (c.kind === 'env-file') for (const a of parseEnvAssignments(c.text)) add(a.name, a.value, `env-file ${c.source}`)
    if (c.kind === 'systemd') for (const a of unitEnvironment(c.text)) add(a.name, a.value, `unit ${c.source}`)
  }
  return vars
}

function shellQuote(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`
}

/** One `NAME=value` line: a secret name gets the placeholder, any other value still passes the redactor. */
export function renderVar(name: string, value: string, opts: RedactOptions): Rendered {
  if (secretByName(name, opts, true) && !isPlaceholder(value)) {
    opts.collect?.add(value)
    return { text: `${name}=${opts.placeholder ?? PLACEHOLDER}`, redactions: 1 }
  }
  const r = redactText(`${name}=${shellQuote(value)}`, opts)
  return { text: r.text, redactions: r.count }
}

function renderVars(vars: Map<string, Var>, opts: RedactOptions, withSources: boolean): Rendered {
  const lines: string[] = []
  let redactions = 0
  const put = (name: string, v: Var) => {
    const r = renderVar(name, v.value, opts)
    redactions += r.redactions
    lines.push(withSources ? `${r.text}  # from: ${v.sources.join(', ')}` : r.text)
  }
  for (const name of CLARA_VARS) {
    const v = vars.get(name)
    if (v) put(name, v)
    else lines.push(`# ${name}=  (not set in any input)`)
  }
  const others = [...vars.keys()].filter((n) => !(CLARA_VARS as readonly string[]).includes(n)).sort()
  if (others.length) lines.push('', '# other variables found in the inputs')
  for (const name of others) put(name, vars.get(name)!)
  return { text: lines.join('\n') + '\n', redactions }
}

/** `.env.sample`: every variable with placeholders for secrets. */
export function envSample(vars: Map<string, Var>, opts: RedactOptions): Rendered {
  const head = [
    '# .env.sample written by clara-infra: the variables C-LARA reads; secret values are <redacted>.',
    '# C-LARA has no .env loader: put these in the service environment (systemd Environment=/EnvironmentFile=) or the shell profile.',
    '',
  ].join('\n')
  const body = renderVars(vars, opts, false)
  return { text: head + body.text, redactions: body.redactions }
}

async function secretFileLines(clara: string, vars: Map<string, Var>): Promise<string[]> {
  const gac = vars.get('GOOGLE_APPLICATION_CREDENTIALS')?.value
  const lines: string[] = []
  for (const f of claraSecretFiles(clara, gac && !isPlaceholder(gac) ? gac : undefined)) {
    const st = await fsp.stat(f).catch(() => null)
    lines.push(`${st ? `present (${st.size} bytes)` : 'absent'}  ${f}`)
  }
  return lines
}

/**
 * `settings_snapshot.txt`: the variables with their sources, the secret files, redacted copies of the inputs.
 * No time in it (that is in index.json and the run's manifest.json): an unchanged install gives the same bytes.
 */
export async function settingsSnapshot(clara: string, vars: Map<string, Var>, inputs: Captured[], opts: RedactOptions): Promise<Rendered> {
  const parts = [
    "# settings_snapshot.txt written by clara-infra: C-LARA's settings from every input",
    '# Secret values are replaced by <redacted>, passwords inside URLs by ***.',
    '',
    '## Variables C-LARA reads (environment only), then any others found in the inputs',
  ]
  const table = renderVars(vars, opts, true)
  let redactions = table.redactions
  parts.push(table.text, '## Files holding secrets (contents not captured: carry them over by hand)', ...(await secretFileLines(clara, vars)), '')
  for (const c of inputs.filter((i) => i.kind === 'env-file' || i.kind === 'settings')) {
    const r = redactText(c.text, opts)
    redactions += r.count
    parts.push(`## ${c.kind} ${c.source} (copy, ${r.count} value${r.count === 1 ? '' : 's'} redacted)`, r.text.endsWith('\n') ? r.text : r.text + '\n')
  }
  const belt = redactText(parts.join('\n'), opts)
  return { text: belt.text, redactions: redactions + belt.count }
}
