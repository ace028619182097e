#!/usr/bin/env bash
# Install pnpm (pinned in package.json's packageManager) if this machine lacks it.
set -euo pipefail
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$want" ]; then
  npm install -g --no-fund --no-audit "pnpm@$want" >&2
fi
