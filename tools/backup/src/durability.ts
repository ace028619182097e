/**
 * Durable domains (issue 16). clara-backup runs its domains' tools with CLARA_FLUSH=grouped: they write
 * every artifact whole under a temp name and rename it into place, without an fsync per file or per folder
 * (shared/src/durability.ts); a killed tool leaves nothing partial under a final name, but until a flush a
 * power loss could. The rules that keep a run durable:
 *
 * 1. When a domain's tools have finished, one flush of the run's file system (syncfs); only then is the
 *    domain marked durable, in the run's `durable.json` (`domains`: folder → when it was flushed). The next
 *    domain need not wait for it: the flush goes on beside it. The mark is dropped (durably) before the
 *    domain's tools start again, as in a resumed or rerun domain.
 * 2. manifest.json comes only after every domain folder of the run is marked, and after one more flush
 *    (the finish's own writes); it keeps its own fsync. The finish's encryption runs with an fsync per file.
 * 3. `durable.json` holds the machine's boot id (/proc/sys/kernel/random/boot_id) of the attempt that
 *    writes unmarked folders, fsynced when the run (or its resume) starts, before any domain writes.
 * 4. Resume: a domain folder without its mark was written by an attempt that stopped before its flush.
 *    - The same boot id: the machine has not rebooted since, so the page cache holds every file that was
 *      renamed into place, whole. One flush, the folders are marked, and their finished units are trusted
 *      as always (kept, not rebuilt).
 *    - Another boot id (a reboot or a power loss: a final may be torn on disk), or none to compare: the
 *      folder is not trusted. It is moved aside (a temp name, then removed) and one line says why; the
 *      domain, when selected, is rebuilt from nothing (unchanged units are still linked from the
 *      previous finished run, which is durable).
 *    A run without `durable.json` was written by an older toolkit, with an fsync per file: all trusted.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { fsyncDir, tempNameFor, writeJsonAtomic } from '@clara/shared/atomic'
import { bootId, BOOT_ID_FILE } from '@clara/shared/durability'
import { syncFileSystem } from '@clara/shared/sync-fs'
import { DOMAINS } from './domains.js'

export const DURABLE_FILE = 'durable.json'
export interface DurableDoc {
  version: 1
  /** the boot the run's unmarked domain folders were written in (null: unknown) */
  boot_id: string | null
  /** domain folder → when its flush completed (an older toolkit's run: 'fsynced per file') */
  domains: Record<string, string>
}

/**
 * The machine's boot id, from `CLARA_BACKUP_BOOT_ID_FILE` when set (only tests set it, to stand on
 * either side of a reboot without one) or the kernel's; null when it cannot be read.
 */
export async function readBootId(env: NodeJS.ProcessEnv): Promise<string | null> {
  return bootId(env.CLARA_BACKUP_BOOT_ID_FILE || BOOT_ID_FILE)
}

/** A run's durable.json: the document, 'missing' (an older toolkit's run), or 'unreadable'. */
export async function readDurable(runDir: string): Promise<DurableDoc | 'missing' | 'unreadable'> {
  let text: string
  try {
    text = await fsp.readFile(path.join(runDir, DURABLE_FILE), 'utf8')
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable'
  }
  try {
    const doc = JSON.parse(text)
    if (doc?.version === 1 && doc.domains && typeof doc.domains === 'object') return doc
  } catch {
    // not JSON
  }
  return 'unreadable'
}

/** The domain folders a run holds. */
async function domainFolders(runDir: string): Promise<string[]> {
  const out: string[] = []
  for (const d of DOMAINS) if ((await fsp.stat(path.join(runDir, d.dir)).catch(() => null))?.isDirectory()) out.push(d.dir)
  return out
}

export interface DurabilityOptions {
  /** the machine's boot id now (readBootId) */
  bootId: () => Promise<string | null>
  /** one flush of the file system holding a path (default: syncfs) */
  flush?: (anyPath: string) => Promise<void>
  /** a line about a domain folder that is rebuilt */
  warn: (dir: string, message: string) => void
}

/** A run's durability marks: kept in durable.json, written one at a time (domains finish concurrently). */
export class RunDurability {
  private queue: Promise<void> = Promise.resolve()
  /** the flush and mark of each domain whose tools have finished */
  private pending = new Map<string, Promise<void>>()
  private constructor(private runDir: string, private doc: DurableDoc, private flush: (p: string) => Promise<void>) {}

  /** The marks of a new run, or of a resumed one once its unmarked folders are flushed or moved aside (rule 4). */
  static async open(runDir: string, resumed: boolean, o: DurabilityOptions): Promise<RunDurability> {
    const boot = await o.bootId()
    const r = new RunDurability(runDir, { version: 1, boot_id: boot, domains: {} }, o.flush ?? syncFileSystem)
    if (resumed) await r.resume(await readDurable(runDir), boot, o.warn)
    // the boot id of this attempt is on disk before any domain writes
    await r.write()
    return r
  }

  private async resume(earlier: DurableDoc | 'missing' | 'unreadable', boot: string | null, warn: DurabilityOptions['warn']): Promise<void> {
    const folders = await domainFolders(this.runDir)
    if (earlier === 'missing') {
      // an older toolkit's run: every file was fsynced on its own
      for (const d of folders) this.doc.domains[d] = 'fsynced per file'
      return
    }
    if (earlier !== 'unreadable') for (const d of folders) if (earlier.domains[d]) this.doc.domains[d] = earlier.domains[d]
    const unmarked = folders.filter((d) => !this.marked(d))
    if (unmarked.length === 0) return
    const why =
      earlier === 'unreadable' ? `its ${DURABLE_FILE} is unreadable`
      : earlier.boot_id === null || boot === null ? 'the boot id cannot be compared'
      : earlier.boot_id !== boot ? 'the machine has rebooted since'
      : null
    if (why === null) {
      // the same boot: the page cache still holds every file it renamed into place, whole
      await this.flush(this.runDir)
      const at = new Date().toISOString()
      for (const d of unmarked) this.doc.domains[d] = at
      return
    }
    for (const d of unmarked) {
      await moveAside(this.runDir, d)
      warn(d, `rebuilt: the interrupted attempt wrote it without flushing it to disk and ${why}, so a power loss may have torn its files`)
    }
  }

  /** Whether a domain folder is marked durable. */
  marked(dir: string): boolean {
    return dir in this.doc.domains
  }

  /** Before a domain's tools write into its folder: its mark is dropped (rule 1), after any flush of it still going on. */
  async starting(dir: string): Promise<void> {
    await this.pending.get(dir)
    await this.update(() => {
      if (!this.marked(dir)) return false
      delete this.doc.domains[dir]
      return true
    })
  }

  /** A domain's tools have finished: one flush, then its mark (rule 1). */
  async finished(dir: string): Promise<void> {
    // the run folder: the domain's tools may have made no folder of their own (a domain that failed at once)
    await this.flush(this.runDir)
    const at = new Date().toISOString()
    await this.update(() => ((this.doc.domains[dir] = at), true))
  }

  /**
   * Run a domain: its mark dropped first; once its tools have finished, its flush and mark go on in the
   * background while the next domain starts (settled() waits for them). A domain stopped by `signal` is
   * left unmarked.
   */
  async domain(dir: string, work: () => Promise<void>, signal: AbortSignal): Promise<void> {
    await this.starting(dir)
    await work()
    if (signal.aborted) return
    const done = this.finished(dir)
    done.catch(() => {}) // its failure is thrown by settled()
    this.pending.set(dir, done)
  }

  /** Every domain's flush and mark so far are done (the first failure is thrown). */
  async settled(): Promise<void> {
    await Promise.all(this.pending.values())
  }

  /**
   * Just before manifest.json (rule 2): every domain's flush done and its mark written, then one more
   * flush (the finish's own writes, and whatever else of the run is not yet on disk), and every domain
   * folder of the run marked.
   */
  async beforeManifest(): Promise<void> {
    await this.settled()
    await this.flush(this.runDir)
    const at = new Date().toISOString()
    const unmarked = (await domainFolders(this.runDir)).filter((d) => !this.marked(d))
    await this.update(() => {
      for (const d of unmarked) this.doc.domains[d] = at
      return unmarked.length > 0
    })
  }

  /** Change the document and write it (atomically, fsynced, one write at a time) when `change` says it changed. */
  private update(change: () => boolean): Promise<void> {
    const next = this.queue.then(() => (change() ? this.write() : undefined))
    this.queue = next.catch(() => {})
    return next
  }

  private async write(): Promise<void> {
    const domains = Object.fromEntries(Object.entries(this.doc.domains).sort(([a], [b]) => (a < b ? -1 : 1)))
    await writeJsonAtomic(path.join(this.runDir, DURABLE_FILE), { ...this.doc, domains }, { mode: 0o640, alwaysSync: true })
  }
}

/** Rename a folder to a temp name (durably: a later sweep removes it if we stop here), then remove it. */
async function moveAside(runDir: string, dir: string): Promise<void> {
  const aside = tempNameFor(path.join(runDir, dir))
  await fsp.rename(path.join(runDir, dir), aside)
  await fsyncDir(runDir)
  await fsp.rm(aside, { recursive: true, force: true })
}
