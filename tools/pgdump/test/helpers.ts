/** Test helper (not a test): environments, the real C-LARA fixture, and a byte scan for leaked secrets. */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { filesUnder, repoRoot } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'

/** The environment a tool run gets: PATH (for pg_dump, mysqldump), HOME, nothing else unless asked. */
export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra }
}

/** Build the §9 C-LARA fixture (tree in `clara`, rows in the database at `url`) with the real clara-fixture. */
export async function loadFixture(clara: string, url: string): Promise<void> {
  const bin = path.join(repoRoot(), 'tools', 'fixture', 'bin.js')
  const r = await spawnTool('node', [bin, '--clara', clara, '--db', url, '--quiet'], { env: childEnv() })
  if (r.code !== 0) throw new Error(`clara-fixture failed (exit ${r.code}; is tools/fixture built?): ${r.stderr}`)
}

export { filesUnder }

/** Where `secret` occurs: in the given texts (by label) or in any file under `dirs`. */
export function leaks(secret: string, texts: Record<string, string>, dirs: string[]): string[] {
  const found = Object.entries(texts).filter(([, s]) => s.includes(secret)).map(([k]) => k)
  for (const f of dirs.flatMap(filesUnder)) if (readFileSync(f).includes(Buffer.from(secret))) found.push(f)
  return found
}

/** The one `*.db_metadata.json` in a db folder, parsed. */
export function readMetadata(dbDir: string): { file: string; meta: Record<string, any> } {
  const name = readdirSync(dbDir).find((n) => n.endsWith('.db_metadata.json'))
  if (!name) throw new Error(`no metadata file in ${dbDir}`)
  return { file: path.join(dbDir, name), meta: JSON.parse(readFileSync(path.join(dbDir, name), 'utf8')) }
}
