/** A small tmpfs to fill up (the disk-full row): needs root and a kernel that lets it mount. */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'

const run = (args: string[]) => execFileSync('mount', args, { stdio: ['ignore', 'pipe', 'pipe'] })

/** Mount a tmpfs of `bytes` at `dir`; throws saying why when the machine does not allow it. */
export function mountTmpfs(dir: string, bytes: number): void {
  mkdirSync(dir, { recursive: true })
  try {
    run(['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir])
  } catch (err) {
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message
    throw new Error(`the disk-full row mounts a small tmpfs and needs root with CAP_SYS_ADMIN: mount failed: ${why}`)
  }
}

/** Why this machine cannot mount a tmpfs (tried at `dir`, unmounted at once), or undefined when it can. */
export function tmpfsRefusal(dir: string): string | undefined {
  try {
    mountTmpfs(dir, 1 << 20)
  } catch (err) {
    return (err as Error).message
  }
  unmount(dir)
  return undefined
}

/** Give a mounted tmpfs more room ("space is freed"). */
export function growTmpfs(dir: string, bytes: number): void {
  run(['-o', `remount,size=${bytes}`, dir])
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'ignore' })
}
