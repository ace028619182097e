/**
 * What each backup domain reads from a C-LARA install: the trees and single files its tools open,
 * and whether it reads the database. clara-backup stats exactly these before it runs a domain; when
 * nothing here changed since the previous run (same sizes, times and inodes), the domain's output
 * would be the same, and the previous run's domain is hard-linked whole instead of rebuilt
 * (tools/backup/src/domain-reuse.ts).
 *
 * A superset is safe: a root listed here that a domain never reads costs a walk, nothing more. A
 * root a domain reads but that is missing here would let a change go unseen, so the listers take
 * their folders from these same constants, and tools/backup/test/domain-inputs.test.ts checks every
 * source the tools read on the fixture against these lists.
 */
import path from 'node:path'
import { AUDIO_FOLDER, COMPILED_FOLDERS, CONTENT_FOLDER, GLOSS_IMAGE_FOLDER, IMAGE_FOLDER, LEGACY_FOLDERS } from './data-folders.js'
import { MEDIA_ROOTS } from './media-roots.js'

export interface InputRoot {
  /** absolute path: a directory (walked whole when `walk`) or a single file; an absent one counts too */
  path: string
  /** walk the whole tree below it (false: the entry alone) */
  walk: boolean
}

export interface DomainInputs {
  roots: InputRoot[]
  /** set when the domain reads something stat data cannot prove unchanged: it is always run */
  open?: string
}

export interface InputsContext {
  /** `$CLARA`, absolute */
  clara: string
  /** the database: a SQLite file (absolute path), or a server (PostgreSQL, MySQL) */
  db: { engine: 'sqlite'; file: string } | { engine: 'postgres' | 'mysql' }
  /** the environment the domain scripts get (LEGACY_ROOT) */
  env: NodeJS.ProcessEnv
}

const tree = (p: string): InputRoot => ({ path: p, walk: true })
const entry = (p: string): InputRoot => ({ path: p, walk: false })

/**
 * The database as files: a SQLite database is its file plus the journal and write-ahead log that
 * hold not yet checkpointed writes. A server database has no file to stat: the domain stays open.
 */
function database(c: InputsContext): DomainInputs {
  if (c.db.engine !== 'sqlite') return { roots: [], open: `it reads the ${c.db.engine} database, which has no change stamp to compare` }
  const f = c.db.file
  return { roots: [entry(f), entry(`${f}-wal`), entry(`${f}-journal`)] }
}

/**
 * The app's git commit goes into every project unit (`git rev-parse HEAD` in `$CLARA`): HEAD and
 * the refs it resolves through. A `.git` that is a file (a worktree) points elsewhere: open.
 */
function gitHead(clara: string): InputRoot[] {
  const git = path.join(clara, '.git')
  return [entry(git), entry(path.join(git, 'HEAD')), entry(path.join(git, 'packed-refs')), tree(path.join(git, 'refs'))]
}

function merge(...parts: DomainInputs[]): DomainInputs {
  const open = parts.map((p) => p.open).find(Boolean)
  return { roots: parts.flatMap((p) => p.roots), ...(open ? { open } : {}) }
}

/** The audio folder whole (the ORM repository and the legacy metadata databases beside it), one root for every domain that reads audio. */
const AUDIO_ROOT = path.dirname(AUDIO_FOLDER)

const under = (clara: string, rels: readonly string[]) => rels.map((r) => tree(path.join(clara, r)))

/** The inputs of one domain (its folder name under the run), or null for a domain that is always run. */
export function domainInputs(domainDir: string, c: InputsContext): DomainInputs | null {
  const compiled = Object.values(COMPILED_FOLDERS)
  switch (domainDir) {
    case 'source_exports':
      // sources and images, plus the mp3s C-LARA's own export puts in audio/ and phonetic_audio/
      return merge({ roots: under(c.clara, [CONTENT_FOLDER, IMAGE_FOLDER, ...compiled, AUDIO_ROOT]) }, { roots: gitHead(c.clara) }, database(c))
    case 'compiled_exports':
      // rendered pages plus what their links are resolved against: audio, project images, picture glosses, sources
      return merge({ roots: under(c.clara, [...compiled, AUDIO_ROOT, IMAGE_FOLDER, GLOSS_IMAGE_FOLDER, CONTENT_FOLDER]) }, { roots: gitHead(c.clara) }, database(c))
    case 'legacy_zips': {
      const flag = c.env.LEGACY_ROOT
      return { roots: flag ? [tree(path.resolve(c.clara, flag))] : under(c.clara, LEGACY_FOLDERS) }
    }
    case 'db':
      return database(c)
    case 'audio_cache':
      // the whole audio folder: the ORM repository and the legacy metadata databases next to it
      return merge({ roots: under(c.clara, [AUDIO_ROOT]) }, database(c))
    case 'media':
      return { roots: MEDIA_ROOTS.map((r) => tree(path.join(c.clara, r.path))) }
    default:
      // infra reads system files, the crontab and git state outside the install; snapshots are
      // whole-tree copies taken on request
      return null
  }
}
