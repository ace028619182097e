/** The folders a fresh install needs before Django starts (facts §8.12): returns those it created. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { PREPARE_DIRS } from './clara-paths.js'

export async function prepareDirs(root: string): Promise<string[]> {
  const made: string[] = []
  for (const d of PREPARE_DIRS) {
    if (await fsp.mkdir(path.join(root, d), { recursive: true })) made.push(d)
  }
  return made
}
