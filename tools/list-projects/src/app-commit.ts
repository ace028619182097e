/**
 * The app's git commit (clara-facts §8.10: `$CLARA` is both the checkout and the data root).
 * Read-only: `git rev-parse` writes nothing. Only a checkout whose top level IS `$CLARA` counts, so
 * an install that merely sits inside some other repository gives null.
 */
import { execFile } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function appCommit(clara: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  // GIT_DIR and friends would point git somewhere else
  const cleanEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('GIT_')))
  try {
    const { stdout } = await run('git', ['-C', clara, 'rev-parse', '--show-toplevel', 'HEAD'], { env: cleanEnv, timeout: 10_000 })
    const [top, head] = stdout.trim().split('\n')
    if (realpathSync(top) !== realpathSync(clara)) return null
    return /^[0-9a-f]{40,64}$/.test(head) ? head : null
  } catch {
    return null
  }
}
