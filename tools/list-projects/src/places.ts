/** A project's places on disk (clara-facts §1.6): where its data lives, and whether it is there. */
import { lstatSync } from 'node:fs'
import path from 'node:path'
import type { Place } from '@clara/shared/records'
import { TEXT_TYPES, compiledPath, contentPath, imagePath } from './clara-layout.js'

/** true when `rel` (relative to the install) is an existing directory (symlinks are not followed) */
export function isDir(clara: string, rel: string): boolean {
  try {
    return lstatSync(path.join(clara, rel)).isDirectory()
  } catch {
    return false
  }
}

/** The five places of a project, in a fixed order. */
export function projectPlaces(clara: string, id: number, internalId: string): Place[] {
  const list = [
    { kind: 'content', path: contentPath(internalId) },
    { kind: 'images', path: imagePath(internalId) },
    ...TEXT_TYPES.map((t) => ({ kind: `compiled_${t}`, path: compiledPath(t, id) })),
  ]
  return list.map((p) => ({ ...p, exists: isDir(clara, p.path) }))
}
