/** Where the built clara-* bins are, seen from this package (tools/stress/dist/src). */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

/** `<repo>/node_modules/.bin/<name>`, where `make build` puts every clara-* bin. */
export function bin(name: string): string {
  return path.join(REPO, 'node_modules', '.bin', name)
}

/** The environment for a child: ours without NODE_OPTIONS (tap injects a loader there), plus the bins on PATH. */
export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.join(REPO, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...extra }
  delete env.NODE_OPTIONS
  return env
}
