/**
 * What a terminal shows for the text a program wrote to it, for tests of live progress lines: the
 * lines ended by a newline, and the line still being drawn. A carriage return goes back to column 0,
 * ESC [ K erases from the cursor to the end of the line, any other character is drawn over what is
 * under the cursor. Any other control sequence throws: a live line uses these two and nothing else.
 */
export interface Screen {
  /** lines ended by "\n", as they stand */
  lines: string[]
  /** the line not yet ended ("" when nothing is drawn on it) */
  live: string
}

export function screen(text: string): Screen {
  const lines: string[] = []
  let line: string[] = []
  let col = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\n') {
      lines.push(line.join(''))
      line = []
      col = 0
    } else if (c === '\r') {
      col = 0
    } else if (c === '\x1b') {
      if (text.startsWith('\x1b[K', i)) {
        line = line.slice(0, col)
        i += 2
      } else {
        throw new Error(`screen: an unexpected control sequence at ${i}: ${JSON.stringify(text.slice(i, i + 8))}`)
      }
    } else if (c < ' ' && c !== '\t') {
      throw new Error(`screen: an unexpected control character ${JSON.stringify(c)} at ${i}`)
    } else {
      line[col++] = c
    }
  }
  return { lines, live: line.join('') }
}

/** A clock a test moves by hand: `now()` for the code under test, `advance(ms)` to let time pass. */
export function manualClock(startMs = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let ms = startMs
  return { now: () => ms, advance: (d: number) => void (ms += d) }
}
