#!/usr/bin/env node
// Runs the tool: its bundle, or its modules (shared/src/launch.ts says which).
// A tool that cannot even load (a missing build, a broken install) is fatal (exit 3), never "partial" (1).
import('../../shared/dist/src/launch.js').then((m) => m.launch(import.meta.url)).catch((err) => {
  process.stderr.write(`${process.argv[1]}: cannot start: ${err?.message ?? err}\n`)
  process.exit(3)
})
