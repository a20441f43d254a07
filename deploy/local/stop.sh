#!/usr/bin/env bash
# Stops everything start.sh / cluster-test.sh started (by the pids they recorded); data stays in work/.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[[ -d "$PIDS" ]] || { log "nothing to stop"; exit 0; }
for f in "$PIDS"/*; do
  [[ -e "$f" ]] || continue
  name="$(basename "$f")"; pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
done
log "stopped"
