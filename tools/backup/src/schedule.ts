/**
 * Which domain starts when, with --jobs N domains running at once. The domains are independent (each
 * writes only its own folder of the run directory), so with N > 1 the longest ones start first, by the
 * seconds each took in the previous run's manifest, to keep both cores busy to the end; a domain without
 * a time keeps its place in the design's order. With N = 1 the design's order is kept exactly.
 */
import type { Domain } from './domains.js'

export function startOrder(domains: Domain[], jobs: number, prevSeconds: Record<string, number | undefined>): Domain[] {
  if (jobs <= 1) return [...domains]
  const t = (d: Domain) => prevSeconds[d.dir] ?? 0
  // A stable sort: equal (or unknown) times keep the design's order.
  return domains.map((d, i) => ({ d, i })).sort((a, b) => t(b.d) - t(a.d) || a.i - b.i).map((x) => x.d)
}

/** Run `work` on every item, at most `jobs` at a time, starting them in the given order; stops starting new ones once `stop()` is true. */
export async function pool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length && !stop()) await work(items[next++])
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, lane))
}
