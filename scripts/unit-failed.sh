#!/usr/bin/env bash
# OnFailure= handler of clara-backup.service (systemd/clara-backup-failed.service): when the run failed in a
# way clara-backup did not report itself, send the summary to CLARA_BACKUP_NOTIFY (JSON on stdin) and
# CLARA_BACKUP_PING/fail. systemd (≥ 251) gives the failed run's outcome in MONITOR_SERVICE_RESULT,
# MONITOR_EXIT_CODE, MONITOR_EXIT_STATUS and MONITOR_UNIT. An exit of clara-backup's own (3, 11, 130) was
# reported by clara-backup already; anything else (killed, timed out, a crash, a usage error) is reported here.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
result=${MONITOR_SERVICE_RESULT:-unknown}
status=${MONITOR_EXIT_STATUS:-}
case "$result:$status" in
  exit-code:1 | exit-code:3 | exit-code:11 | exit-code:130)
    echo "unit-failed: ${MONITOR_UNIT:-clara-backup.service} exited $status: clara-backup reported it itself" >&2
    exit 0 ;;
esac
summary=$(node -e '
const e = process.env
console.log(JSON.stringify({
  event: "unit-failed", status: "failed", exit_code: /^\d+$/.test(e.MONITOR_EXIT_STATUS ?? "") ? Number(e.MONITOR_EXIT_STATUS) : null,
  host: require("node:os").hostname(), backup_root: e.BACKUP_ROOT ?? null, run_id: null, unit: e.MONITOR_UNIT ?? "clara-backup.service",
  message: `${e.MONITOR_UNIT ?? "clara-backup.service"} failed: ${e.MONITOR_SERVICE_RESULT ?? "unknown"} (${e.MONITOR_EXIT_CODE ?? "?"} ${e.MONITOR_EXIT_STATUS ?? "?"}); see journalctl -u ${e.MONITOR_UNIT ?? "clara-backup.service"}`,
}))')
echo "unit-failed: $summary" >&2
rc=0
if [ -n "${CLARA_BACKUP_NOTIFY:-}" ]; then
  printf '%s\n' "$summary" | env -u DATABASE_URL CLARA_RUN_EVENT=unit-failed CLARA_RUN_STATUS=failed /bin/sh -c "$CLARA_BACKUP_NOTIFY" || rc=$?
fi
if [ -n "${CLARA_BACKUP_PING:-}" ]; then
  SUMMARY=$summary node -e '
fetch(process.argv[1].replace(/\/+$/, "") + "/fail", { method: "POST", body: process.env.SUMMARY, signal: AbortSignal.timeout(10000) })
  .then((r) => { if (!r.ok) { console.error(`unit-failed: ping HTTP ${r.status}`); process.exitCode = 1 } })
  .catch((err) => { console.error(`unit-failed: ping failed: ${err.message}`); process.exitCode = 1 })' "$CLARA_BACKUP_PING" || rc=$?
fi
exit "$rc"
