/**
 * Pure JSON rewrites for index.json and metadata documents. Sealing an entry makes `sha256` and
 * `size_bytes` describe the stored (encrypted) bytes, keeps the plaintext's as `plaintext_sha256`
 * and `plaintext_size`, marks `encryption: "age"` and renames references to `<file>.age`.
 * Unsealing does the reverse. Documents of any shape: every object that carries a sha256 is a
 * candidate, and a reference is any string value naming the file.
 */
import path from 'node:path'
import { AGE_EXT } from './select.js'

export interface Digest2 {
  size: number
  sha256: string
}

/** One file sealed (plaintext `rel` → `rel.age`), paths relative to the run dir. */
export interface Sealed {
  rel: string
  plain: Digest2
  stored: Digest2
}

type Obj = Record<string, unknown>

/** Every object inside a JSON value, the value itself included. */
export function* objects(v: unknown): Generator<Obj> {
  if (Array.isArray(v)) for (const x of v) yield* objects(x)
  else if (v && typeof v === 'object') {
    yield v as Obj
    for (const x of Object.values(v)) yield* objects(x)
  }
}

/** The ways a document in `docDir` may name `rel`: from the run, from the domain, from itself, bare. */
export function namesOf(rel: string, docDir: string): Set<string> {
  const names = new Set([rel, rel.split('/').slice(1).join('/'), path.posix.basename(rel)])
  if (rel.startsWith(docDir + '/')) names.add(rel.slice(docDir.length + 1))
  return names
}

function names(o: Obj, set: Set<string>): boolean {
  return Object.values(o).some((v) => typeof v === 'string' && set.has(v))
}

function rename(o: Obj, set: Set<string>, to: (v: string) => string): void {
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && set.has(v)) o[k] = to(v)
}

function sameFile(o: Obj, f: Sealed): boolean {
  return typeof o.sha256 === 'string' && (o.sha256 === f.plain.sha256 || o.plaintext_sha256 === f.plain.sha256)
}

/**
 * Seal the entries of `files` in `doc` (in place): every object with the file's plaintext digest
 * that names it (an index entry, a metadata archive line) and, unless `namedOnly` (indexes, which
 * list many units), those naming no file (a unit's top-level size/sha256 summary).
 * Returns the files it found an entry for.
 */
export function sealDoc(doc: unknown, files: Sealed[], docDir: string, namedOnly = false): { found: Set<string> } {
  const objs = [...objects(doc)]
  const named = files.map((f) => new Set([...namesOf(f.rel, docDir), ...namesOf(f.rel + AGE_EXT, docDir)]))
  const found = new Set<string>()
  const sealed = new Set<Obj>()
  for (const pass of namedOnly ? (['named'] as const) : (['named', 'unnamed'] as const)) {
    files.forEach((f, i) => {
      for (const o of objs) {
        if (sealed.has(o) || !sameFile(o, f)) continue
        if (pass === 'named' ? !names(o, named[i]) : named.some((n) => names(o, n))) continue
        sealed.add(o)
        found.add(f.rel)
        rename(o, namesOf(f.rel, docDir), (v) => v + AGE_EXT)
        Object.assign(o, { sha256: f.stored.sha256, size_bytes: f.stored.size, plaintext_sha256: f.plain.sha256, plaintext_size: f.plain.size, encryption: 'age' })
      }
    })
  }
  return { found }
}

/** The sealed entry naming `storedRel`, for the digests to check a decryption against. */
export function findSealed(doc: unknown, storedRel: string, docDir: string): { stored: Digest2; plain: Digest2 } | null {
  const all = namesOf(storedRel, docDir)
  for (const o of objects(doc)) {
    if (o.encryption !== 'age' || typeof o.plaintext_sha256 !== 'string' || !names(o, all)) continue
    return {
      stored: { sha256: String(o.sha256), size: Number(o.size_bytes) },
      plain: { sha256: o.plaintext_sha256, size: Number(o.plaintext_size) },
    }
  }
  return null
}

/** Unseal the entries of decrypted `files` (in place); returns the files it found an entry for. */
export function unsealDoc(doc: unknown, files: Sealed[], docDir: string): { found: Set<string> } {
  const found = new Set<string>()
  for (const o of objects(doc)) {
    if (o.encryption !== 'age') continue
    const f = files.find((x) => o.sha256 === x.stored.sha256 && o.plaintext_sha256 === x.plain.sha256)
    if (!f) continue
    found.add(f.rel)
    rename(o, namesOf(f.rel + AGE_EXT, docDir), (v) => v.slice(0, -AGE_EXT.length))
    o.sha256 = f.plain.sha256
    o.size_bytes = f.plain.size
    delete o.plaintext_sha256
    delete o.plaintext_size
    delete o.encryption
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && ![...objects(doc)].some((o) => o.encryption === 'age')) delete (doc as Obj).age_recipients
  return { found }
}
