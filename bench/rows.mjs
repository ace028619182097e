// Reading the rows other bench scripts appended to a results.ndjson ({name, value, goal, met, unit}).

/** The value of the row named exactly `name`; throws naming the row when a bench script stopped writing it. */
export function rowValue(rows, name) {
  const r = rows.findLast((x) => x.name === name)
  if (!r || typeof r.value !== 'number') throw new Error(`bench: no row named '${name}' in results.ndjson (did its bench script rename it?)`)
  return r.value
}
