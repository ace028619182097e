/** A project's places on disk (clara-facts §1.6): where its data lives, and whether it is there. */
import { lstatSync } from 'node:fs'
import path from 'node:path'
import type { Place, UnitSource } from '@clara/shared/records'
import { TEXT_TYPES, compiledPath, contentPath, imagePath } from './clara-layout.js'

/** `rel` under the install: text, or exact bytes when `rel` is bytes (a name that is not UTF-8). */
export function installPath(clara: string, rel: string | Buffer): string | Buffer {
  return typeof rel === 'string' ? path.join(clara, rel) : Buffer.concat([Buffer.from(path.join(clara, '/')), rel])
}

/** true when `rel` (relative to the install) is an existing directory (symlinks are not followed) */
export function isDir(clara: string, rel: string | Buffer): boolean {
  try {
    return lstatSync(installPath(clara, rel)).isDirectory()
  } catch {
    return false
  }
}

/** true when `p` is a regular file (symlinks are not followed) */
export function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile()
  } catch {
    return false
  }
}

/**
 * The `dir` source that archives the place `<root>/<name>` and restores it there. A name that is
 * not UTF-8 (an orphan's) cannot be a JSON string: its paths go as bytes (`dir_b64`, `restore_to_b64`).
 */
export function dirSource(clara: string, root: string, name: string | Buffer, prefix: string, exclude: string[]): UnitSource {
  if (typeof name === 'string') return { dir: path.join(clara, root, name), prefix, exclude, restore_to: `${root}/${name}` }
  const rel = Buffer.concat([Buffer.from(`${root}/`), name])
  return { dir_b64: (installPath(clara, rel) as Buffer).toString('base64'), prefix, exclude, restore_to_b64: rel.toString('base64') }
}

/**
 * The `file` source of a stray file at `rel` (under the install), stored as archive member `member`
 * and restored there. A name that is not UTF-8 goes as bytes (`file_b64`, `path_b64`, `restore_to_b64`).
 */
export function fileSource(clara: string, rel: string | Buffer, member: string | Buffer): UnitSource {
  if (typeof rel === 'string' && typeof member === 'string') return { file: path.join(clara, rel), path: member, restore_to: rel }
  const bytes = Buffer.from(rel)
  return { file_b64: (installPath(clara, bytes) as Buffer).toString('base64'), path_b64: Buffer.from(member).toString('base64'), restore_to_b64: bytes.toString('base64') }
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
