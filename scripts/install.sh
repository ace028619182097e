#!/usr/bin/env bash
# make install: a built, self-contained copy of the toolkit under PREFIX that never rebuilds and never
# reads this checkout: PREFIX/lib/clara-backup/ (the tools' compiled modules and bundles, the scripts, the
# production dependencies), PREFIX/bin/clara-* (each runs the node that ran this install), and the systemd
# units (SYSTEMD_DIR, "none" to skip) with their environment file (ENV_FILE, mode 600; an existing one is kept).
# Run it after `make build` (make install does both). Env: PREFIX, SYSTEMD_DIR, ENV_FILE, BACKUP_USER.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=${PREFIX:?set PREFIX, e.g. /opt/clara-backup}
units=${SYSTEMD_DIR:-/etc/systemd/system}
env_file=${ENV_FILE:-/etc/clara-backup/clara-backup.env}
user=${BACKUP_USER:-root}
node=$(command -v node) || { echo "install: node is not on PATH" >&2; exit 3; }
prefix=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
lib=$prefix/lib/clara-backup
[ -f "$src/tools/backup/dist/src/bin.bundle.mjs" ] || { echo "install: $src is not built (make build)" >&2; exit 3; }

mkdir -p "$prefix/lib" "$prefix/bin"
stage=$(mktemp -d "$prefix/lib/.clara-backup.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cd "$src"
cp -p package.json README.md "$stage/"
mkdir "$stage/scripts"
cp -p scripts/lib.sh scripts/backup_*.sh scripts/push.sh scripts/restore.sh scripts/unit-failed.sh "$stage/scripts/"
# each package: its manifest, its launcher, its compiled modules and bundle (no tests, no tsc build info,
# so nothing looks stale to shared/src/launch.ts), and its node_modules links (relative symlinks)
bins=()
for pkg in shared tools/*; do
  [ -f "$pkg/package.json" ] && [ -d "$pkg/dist/src" ] || continue
  mkdir -p "$stage/$pkg/dist"
  cp -p "$pkg/package.json" "$stage/$pkg/"
  cp -a "$pkg/dist/src" "$stage/$pkg/dist/"
  if [ -d "$pkg/node_modules" ]; then cp -a "$pkg/node_modules" "$stage/$pkg/"; fi
  if [ -f "$pkg/bin.js" ]; then
    cp -p "$pkg/bin.js" "$stage/$pkg/"
    bins+=("$pkg")
  fi
done
cp -a tools/fixture/clara-schema "$stage/tools/fixture/"
# the production dependencies only (pnpm's own list), each with its sibling links
mkdir -p "$stage/node_modules/.pnpm"
pnpm -r --filter './tools/*' --filter ./shared list --prod --parseable --depth Infinity \
  | sed -n 's#^.*/node_modules/\.pnpm/\([^/]*\)/.*$#\1#p' | sort -u \
  | while IFS= read -r dep; do cp -a "node_modules/.pnpm/$dep" "$stage/node_modules/.pnpm/"; done
[ -n "$(ls "$stage/node_modules/.pnpm")" ] || { echo "install: pnpm listed no production dependency" >&2; exit 3; }
# the commands: bin/ of the copy (scripts/lib.sh and clara-backup put it first on PATH), linked from PREFIX/bin
mkdir "$stage/bin"
for pkg in "${bins[@]}"; do
  name=$(node -p 'Object.keys(require(process.argv[1]).bin)[0]' "$src/$pkg/package.json")
  printf '#!/bin/sh\nexec %q %q "$@"\n' "$node" "$lib/$pkg/bin.js" > "$stage/bin/$name"
  chmod 755 "$stage/bin/$name"
done
chmod -R go-w "$stage"
chmod 755 "$stage"
# swap the new copy in whole
rm -rf "$lib.old"
if [ -e "$lib" ]; then mv "$lib" "$lib.old"; fi
mv "$stage" "$lib"
trap - EXIT
rm -rf "$lib.old"
for b in "$lib"/bin/clara-*; do ln -sfn "../lib/clara-backup/bin/$(basename "$b")" "$prefix/bin/$(basename "$b")"; done
echo "install: $lib, commands in $prefix/bin" >&2

if [ "$units" != none ]; then
  mkdir -p "$units"
  for u in clara-backup.service clara-backup.timer clara-backup-failed.service; do
    sed -e "s#@PREFIX@#$prefix#g" -e "s#@BACKUP_USER@#$user#g" -e "s#@ENV_FILE@#$env_file#g" "$src/systemd/$u" > "$units/$u.tmp"
    chmod 644 "$units/$u.tmp"
    mv "$units/$u.tmp" "$units/$u"
  done
  echo "install: units in $units (systemctl daemon-reload && systemctl enable --now clara-backup.timer)" >&2
fi
if [ "$env_file" != none ]; then
  mkdir -p "$(dirname "$env_file")"
  if [ -e "$env_file" ]; then
    chmod 600 "$env_file"
    echo "install: $env_file kept (mode 600)" >&2
  else
    install -m 600 "$src/systemd/clara-backup.env" "$env_file"
    echo "install: $env_file written (mode 600): fill in CLARA, DATABASE_URL, BACKUP_ROOT" >&2
  fi
  if [ "$user" != root ]; then chown "$user" "$env_file"; fi
fi
