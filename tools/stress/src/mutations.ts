/**
 * Random changes to a live C-LARA install between backups, as fast-check values: files added,
 * rewritten and deleted in project folders (odd names: spaces, non-ASCII, NFC and NFD twins,
 * long names, non-UTF-8 bytes), empty folders, new orphan folders, and DB rows changed. Picks
 * are indices, resolved against what exists when the change is applied.
 */
import fc from 'fast-check'
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { walkTreeSync } from '@clara/shared/walk-sync'

export type Mutation =
  | { op: 'add'; project: number; dirs: Buffer[]; name: Buffer; body: Uint8Array }
  | { op: 'rewrite'; pick: number; body: Uint8Array }
  | { op: 'delete'; pick: number }
  | { op: 'emptyDir'; project: number; dirs: Buffer[] }
  | { op: 'orphan'; name: Buffer; files: Buffer[] }
  | { op: 'title'; pick: number; title: string }
  | { op: 'session'; key: string; data: string }
  | { op: 'dropSession'; pick: number }

const WORDS = ['page 1', 'Ça va', 'naïve', 'mañana', '日本語', 'ðæ þing', 'Ærø', 'señor', 'exercise judgement', 'a-b_c']

/** A file or folder name as raw bytes. */
export const nameArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom('', '.txt', '.html', '.mp3', '.json')).map(([w, e]) => Buffer.from(w + e)),
  fc.tuple(fc.constantFrom('é', 'ü', 'Å', 'ñ'), fc.constantFrom('NFC', 'NFD') as fc.Arbitrary<'NFC' | 'NFD'>).map(([w, f]) => Buffer.from(`${w}té.txt`.normalize(f))),
  fc.stringMatching(/^[a-z0-9][a-z0-9 _-]{0,19}$/).map((s) => Buffer.from(s)),
  fc.integer({ min: 200, max: 251 }).map((n) => Buffer.from('L'.repeat(n) + '.txt')),
  fc.nat(999).map((n) => Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(`-${n}.txt`)])),
)

const body = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 3000 }))
const dirs = fc.array(nameArb, { maxLength: 2 })

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('add' as const), project: fc.nat(), dirs, name: nameArb, body }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('rewrite' as const), pick: fc.nat(), body }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('emptyDir' as const), project: fc.nat(), dirs: fc.array(nameArb, { minLength: 1, maxLength: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('orphan' as const), name: nameArb, files: fc.array(nameArb, { minLength: 1, maxLength: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('title' as const), pick: fc.nat(), title: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('session' as const), key: fc.stringMatching(/^[a-z0-9]{32}$/), data: fc.string({ maxLength: 200 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('dropSession' as const), pick: fc.nat() }), weight: 1 },
)

/** A name the backup tools would skip or treat as their own is not a fair source file. */
function fair(name: Buffer): boolean {
  const s = name.toString('latin1')
  return !/^\.|\.tmp$|\.pyc$|^__pycache__$|^gunicorn\.sock$|^metadata\.json$|^params\.json$/.test(s)
}

const CLASH = ['ENOTDIR', 'EEXIST', 'EISDIR']

const join = (base: string, parts: Buffer[]) => Buffer.concat([Buffer.from(base), ...parts.flatMap((p) => [Buffer.from('/'), p])])

export class LiveInstall {
  /** every mtime set is a new whole second, later than the one before (time passes between changes) */
  private clock = 1_900_000_000
  constructor(readonly clara: string, readonly db: string) {}

  private async projectDirs(): Promise<string[]> {
    return (await fsp.readdir(path.join(this.clara, 'clara_content'))).sort().map((d) => path.join(this.clara, 'clara_content', d))
  }

  private files(): Buffer[] {
    const out: Buffer[] = []
    for (const e of walkTreeSync(path.join(this.clara, 'clara_content'))) if (e.kind === 'file' && fair(Buffer.from(e.relBytes.subarray(e.relBytes.lastIndexOf(0x2f) + 1)))) out.push(e.abs)
    return out
  }

  private async put(file: Buffer, data: Uint8Array): Promise<void> {
    try {
      await fsp.mkdir(file.subarray(0, file.lastIndexOf(0x2f)), { recursive: true })
      if (existsSync(file) && !(await fsp.lstat(file)).isFile()) return
      await fsp.writeFile(file, data)
    } catch (err) {
      if (CLASH.includes((err as NodeJS.ErrnoException).code ?? '')) return // a file where a folder would go, or the reverse
      throw err
    }
    this.clock += 2
    await fsp.utimes(file, this.clock, this.clock)
  }

  async apply(m: Mutation): Promise<void> {
    if (m.op === 'title' || m.op === 'session' || m.op === 'dropSession') return this.applyRow(m)
    if (m.op === 'add' || m.op === 'emptyDir') {
      const projects = await this.projectDirs()
      const parts = m.op === 'add' ? [...m.dirs, m.name] : m.dirs
      if (!parts.every(fair)) return
      const target = join(projects[m.project % projects.length], parts)
      if (m.op === 'add') return this.put(target, m.body)
      await fsp.mkdir(target, { recursive: true }).catch((err) => {
        if (!CLASH.includes(err.code)) throw err
      })
      return
    }
    if (m.op === 'orphan') {
      if (![m.name, ...m.files].every(fair)) return
      for (const f of m.files) await this.put(join(path.join(this.clara, 'clara_content'), [m.name, f]), Buffer.from('orphan file\n'))
      return
    }
    const files = this.files()
    if (!files.length) return
    const file = files[m.pick % files.length]
    if (m.op === 'rewrite') return this.put(file, m.body)
    await fsp.rm(file)
  }

  private async applyRow(m: Extract<Mutation, { op: 'title' | 'session' | 'dropSession' }>): Promise<void> {
    const db = await openDb(this.db, { readonly: false })
    try {
      if (m.op === 'title') {
        const ids = (await db.query<{ id: number }>('select id from clara_app_claraproject order by id')).map((r) => r.id)
        await db.query('update clara_app_claraproject set title = ? where id = ?', [m.title.slice(0, 200), ids[m.pick % ids.length]])
      } else if (m.op === 'session') {
        await db.query('insert or replace into django_session (session_key, session_data, expire_date) values (?, ?, ?)', [m.key, m.data, '2030-01-01 00:00:00'])
      } else {
        const keys = (await db.query<{ k: string }>('select session_key as k from django_session order by session_key')).map((r) => r.k)
        if (keys.length) await db.query('delete from django_session where session_key = ?', [keys[m.pick % keys.length]])
      }
    } finally {
      await db.close()
    }
  }
}
