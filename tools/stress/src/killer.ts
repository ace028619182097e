/**
 * Run a command and SIGKILL its whole process group at a chosen point: after its Nth stdout
 * record, or once the watched tree has grown by B bytes (polled every few milliseconds).
 */
import { collect, killGroup, startGroup, type Cmd, type Done } from './proc.js'
import { treeBytes } from './tree-size.js'

export type KillPlan = { by: 'records'; at: number } | { by: 'bytes'; at: number; watch: string } | { by: 'none' }

export interface KillResult extends Done {
  /** the kill was sent (false: the command finished first) */
  killed: boolean
  records: number
  /** how far the watched tree had grown when the kill was sent */
  grown: number
}

const POLL_MS = 3

export function describePlan(p: KillPlan): string {
  return p.by === 'none' ? 'no kill' : p.by === 'records' ? `kill after record ${p.at}` : `kill after ${p.at} bytes written`
}

export async function runUntilKilled(c: Cmd, plan: KillPlan): Promise<KillResult> {
  const base = plan.by === 'bytes' ? treeBytes(plan.watch) : 0
  const child = startGroup(c)
  let killed = false
  let records = 0
  let grown = 0
  const kill = () => {
    if (killed) return
    killed = true
    void killGroup(child.pid!)
  }
  const poll = plan.by === 'bytes'
    ? setInterval(() => {
      grown = treeBytes(plan.watch) - base
      if (grown >= plan.at) kill()
    }, POLL_MS)
    : undefined
  const done = await collect(child, c, () => {
    records++
    if (plan.by === 'records' && records >= plan.at) kill()
  })
  clearInterval(poll)
  await killGroup(child.pid!)
  return { ...done, killed: killed && done.signal === 'SIGKILL', records, grown }
}
