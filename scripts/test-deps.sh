#!/usr/bin/env bash
# Make sure what the tests need is installed and running: Debian packages and the loopback DB servers.
set -euo pipefail
need=()
for pair in rsync:rsync sshd:openssh-server age:age pigz:pigz zip:zip unzip:unzip sqlite3:sqlite3 crontab:cron strace:strace systemd-analyze:systemd /usr/bin/time:time chromium:chromium python3:python3; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "test-deps: installing ${need[*]}" >&2
  (apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}") >&2
fi
# The fixture tests decode images and read pickles the way C-LARA does: Debian's Python with Pillow.
if ! /usr/bin/python3 -c 'from PIL import Image, features; assert features.check("webp") and features.check("jpg")' >/dev/null 2>&1; then
  echo "test-deps: installing python3-pil" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-pil) >&2
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "test-deps: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start >&2 || true
fi
if ! mysqladmin -h 127.0.0.1 -u root status >/dev/null 2>&1; then
  echo "test-deps: starting MariaDB" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >&2 || true
  for _ in $(seq 30); do mysqladmin -h 127.0.0.1 -u root status >/dev/null 2>&1 && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "test-deps: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
mysqladmin -h 127.0.0.1 -u root status >/dev/null 2>&1 || { echo "test-deps: MariaDB is not reachable on 127.0.0.1:3306" >&2; exit 1; }
# The fixtures load C-LARA's real schema: the copy in tools/fixture/clara-schema, or CLARA_SCHEMA_DIR.
schema=${CLARA_SCHEMA_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/fixture/clara-schema}
[ -f "$schema/sqlite.sql" ] && [ -f "$schema/postgres.sql" ] || {
  echo "test-deps: no C-LARA schema at $schema (tools/fixture/clara-schema, or set CLARA_SCHEMA_DIR)" >&2; exit 1; }
