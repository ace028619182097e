#!/usr/bin/env node
// A tool that cannot even load (a missing build, a broken install) is fatal (exit 3), never "partial" (1).
import('./dist/src/bin.js').catch((err) => {
  process.stderr.write(`${process.argv[1]}: cannot start: ${err?.message ?? err}\n`)
  process.exit(3)
})
