#!/usr/bin/env -S node --max-semi-space-size=4
// (--max-semi-space-size=4: a 4 MB young generation keeps the peak ~35 MB lower when reading a whole run, at no measured cost in time.)
// Runs the tool: its bundle, or its modules (shared/src/launch.ts says which).
// A tool that cannot even load (a missing build, a broken install) is fatal (exit 3), never "partial" (1).
import('../../shared/dist/src/launch.js').then((m) => m.launch(import.meta.url)).catch((err) => {
  process.stderr.write(`${process.argv[1]}: cannot start: ${err?.message ?? err}\n`)
  process.exit(3)
})
