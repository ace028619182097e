/** `--only` / `--skip`: ids or internal_ids for projects; names (or `orphan-<name>`, or the unit name) for orphans. */
export interface Selection {
  only: Set<string>
  skip: Set<string>
}

export function selection(only: string[], skip: string[]): Selection {
  return { only: new Set(only), skip: new Set(skip) }
}

function picked(sel: Selection, keys: string[]): boolean {
  if (keys.some((k) => sel.skip.has(k))) return false
  return sel.only.size === 0 || keys.some((k) => sel.only.has(k))
}

export function projectSelected(sel: Selection, id: number, internalId: string): boolean {
  return picked(sel, [String(id), internalId])
}

export function orphanSelected(sel: Selection, name: string, rel: string, unit: string): boolean {
  return picked(sel, [name, `orphan-${name}`, rel, unit])
}
