/** The one yargs factory: help to stdout with exit 0, usage errors as `UsageError` (exit 2). */
import yargs from 'yargs'
import type { Argv } from 'yargs'
import type { Io } from './cli.js'
import { UsageError } from './cli.js'

/** Thrown (internally) when --help or --version was answered; `main` returns 0. */
export class HelpShown extends Error {}

export interface ToolSpec<T> {
  name: string
  usage: string
  build: (y: Argv) => Argv<T>
  version?: string
}

/**
 * Parse `io.argv`. Returns the parsed options, or `null` when help/version was printed
 * (the caller returns exit 0). Throws `UsageError` on bad arguments.
 */
export async function parseArgs<T>(io: Io, spec: ToolSpec<T>): Promise<(T & { _: (string | number)[] }) | null> {
  let output = ''
  const base = yargs()
    .scriptName(spec.name)
    .usage(spec.usage)
    .strict()
    .exitProcess(false)
    .help('help')
    .alias('help', 'h')
    .version(spec.version ?? '0.1.0')
    .alias('version', 'V')
    .wrap(null)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg)
    })
  const y = spec.build(base)
  let parsed: unknown
  try {
    parsed = await y.parseAsync(io.argv, {}, (_err, _argv, out) => {
      output = out
    })
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError((err as Error).message)
  }
  const argv = parsed as Record<string, unknown>
  if (argv.help || argv.version) {
    io.stdout.write(output.endsWith('\n') ? output : output + '\n')
    return null
  }
  // yargs turns `--workers abc` into NaN without complaint
  for (const [k, v] of Object.entries(argv)) {
    if ([v].flat().some((x) => typeof x === 'number' && Number.isNaN(x))) throw new UsageError(`--${k}: not a number`)
  }
  return parsed as T & { _: (string | number)[] }
}

/** Split a comma/space separated list flag (repeatable) into items. */
/** A repeatable flag of paths, each occurrence a comma list: split on commas only, so a path may hold spaces. */
export function pathsFlag(v: unknown): string[] {
  if (v === undefined || v === null || v === false) return []
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).filter(Boolean)
}

export function listFlag(v: unknown): string[] {
  if (v === undefined || v === null || v === false) return []
  const arr = Array.isArray(v) ? v : [v]
  return arr.flatMap((x) => String(x).split(/[,\s]+/)).filter(Boolean)
}
