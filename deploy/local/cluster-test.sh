#!/usr/bin/env bash
# The cluster test: on the local cluster of start.sh, kills a TaskManager (kill -9) mid-stream, starts a
# replacement (as an operator's supervisor would) and checks recovery under default heartbeats, the
# snapshot versions (read_committed: strictly increasing, no gaps) and eventsSeen = events produced;
# then stop-with-savepoint and resume rescaled 2 -> 1 -> 2 with the model continuing; then cancel (no
# savepoint) and resubmit without state, checking the new job seeds itself from the last snapshot. Prints PASS/FAIL
# per check and the measured times; exits non-zero on any FAIL. Leaves nothing running (CM_KEEP=1 keeps
# the cluster up for a look).
# Functions below are called through trap and wait_for, which shellcheck does not follow.
# shellcheck disable=SC2317
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

N1="${CM_EVENTS1:-16020}"   # phase 1 (with the TaskManager kill); multiples of 178 (wine rows)
N2="${CM_EVENTS2:-3560}"    # after resuming at parallelism 1
N3="${CM_EVENTS3:-3560}"    # after resuming at parallelism 2 again
N4="${CM_EVENTS4:-3560}"    # after a cancel and a resubmission without state
RATE="${CM_RATE:-400}"      # events/s: phase 1 lasts N1/RATE s, so the kill lands mid-stream
KILL_AFTER="${CM_KILL_AFTER:-12}"
RESULTS=()
FAILED=0

check() { # check NAME CONDITION-RESULT(0/1) DETAIL
  if [[ "$2" == 0 ]]; then RESULTS+=("PASS  $1: $3"); else RESULTS+=("FAIL  $1: $3"); FAILED=1; fi
  log "$([[ "$2" == 0 ]] && echo PASS || echo FAIL) $1: $3"
}
metric() { RESULTS+=("TIME  $1"); log "TIME $1"; }
summary() {
  echo
  echo "==== cluster test summary ($(date -u +%Y-%m-%dT%H:%M:%SZ)) ===="
  printf '%s\n' "${RESULTS[@]}"
  echo "$(printf '%s\n' "${RESULTS[@]}" | grep -c '^PASS') passed, $(printf '%s\n' "${RESULTS[@]}" | grep -c '^FAIL') failed"
}
cleanup() {
  local rc=$?
  # An abort (die, a timeout) is a failure of its own, even when every check so far passed.
  if ((rc != 0 && FAILED == 0)); then RESULTS+=("FAIL  aborted (exit $rc): see the ERROR line above"); fi
  ((${#RESULTS[@]})) && summary
  if [[ "${CM_KEEP:-0}" != 1 ]]; then "$HERE/stop.sh" >/dev/null 2>&1 || true; fi
  exit "$rc"
}
trap cleanup EXIT

produce_bg() { # produce_bg COUNT SEED: COUNT wine rows (shuffled, repeated) at RATE events/s
  local n="$1" seed="$2" rows=178
  ((n % rows == 0)) || die "event counts must be multiples of $rows (wine's rows), got $n"
  start_bg producer java -Xmx192m -jar "$CLI_JAR" produce --bootstrap "$BOOTSTRAP" --data wine --shuffle \
    --seed "$seed" --repeat $((n / rows)) --rate "$RATE"
}
wait_producer() {
  local pid; pid="$(cat "$PIDS/producer")"
  wait "$pid" || die "producer failed, see $LOGS/producer.out"
  rm -f "$PIDS/producer"
}

# Waits until the last committed snapshot has eventsSeen = $1 (or times out); leaves the topic in work/snapshots.jsonl.
wait_events_seen() {
  local want="$1" deadline=$(($(date +%s) + ${2:-240})) last=""
  while (($(date +%s) < deadline)); do
    read_snapshots >"$WORK/snapshots.jsonl" || true
    last="$(tail -1 "$WORK/snapshots.jsonl" | jq -r '.e // empty')"
    [[ "$last" == "$want" ]] && return 0
    sleep 2
  done
  log "last committed snapshot has eventsSeen=${last:-none}, want $want"
  return 1
}

check_versions() { # check_versions LABEL: versions 1..n strictly increasing without gaps
  local label="$1" n ok
  n="$(wc -l <"$WORK/snapshots.jsonl")"
  ok="$(jq -s '(.[0].v == 1) and ([range(1; length) as $i | .[$i].v == .[$i - 1].v + 1] | all)' "$WORK/snapshots.jsonl")"
  check "$label: versions strictly increasing, no gaps" "$([[ "$ok" == true ]] && echo 0 || echo 1)" \
    "$n committed snapshots, v$(head -1 "$WORK/snapshots.jsonl" | jq .v)..v$(tail -1 "$WORK/snapshots.jsonl" | jq .v)"
}

last_version() { tail -1 "$WORK/snapshots.jsonl" | jq .v; }

completed_checkpoints() { rest "/jobs/$1/checkpoints" | jq '.counts.completed'; }

# stop_with_savepoint JOB: prints the savepoint path
stop_with_savepoint() {
  flink_cli stop --savepointPath "file://$WORK/savepoints" "$1" >"$LOGS/stop-$1.out" 2>&1 \
    || { cat "$LOGS/stop-$1.out" >&2; die "stop-with-savepoint of $1 failed"; }
  grep -oE 'Savepoint completed\. Path: [^ ]+' "$LOGS/stop-$1.out" | awk '{print $4}'
}

# check_events_seen LABEL EXPECTED DETAIL: the last committed snapshot has counted EXPECTED events
check_events_seen() {
  if wait_events_seen "$2"; then check "$1" 0 "$3"; else check "$1" 1 "see above"; fi
}

# rescale FROM TO COUNT SEED [allow-non-restored]: stop-with-savepoint at parallelism FROM, resume at TO,
# produce COUNT more events; checks the model and the versions carry on.
rescale() {
  local from="$1" to="$2" count="$3" seed="$4" sp t0 before after
  before="$(last_version)"
  log "stop-with-savepoint of $JOB"
  t0=$(now_ms)
  sp="$(stop_with_savepoint "$JOB")"
  check "stop-with-savepoint (parallelism $from)" "$([[ -n "$sp" ]] && echo 0 || echo 1)" \
    "${sp:-no path} in $(($(now_ms) - t0)) ms"
  [[ -n "$sp" ]] || exit 1
  log "resuming from $sp at parallelism $to"
  JOB="$(submit_and_wait "$to" 180 "$sp" "${5:-}")"
  produce_bg "$count" "$seed"
  wait_producer
  PRODUCED=$((PRODUCED + count))
  check_events_seen "rescaled $from -> $to: eventsSeen continues" "$PRODUCED" \
    "eventsSeen $PRODUCED = $PRODUCED produced in all"
  check_versions "after $from -> $to"
  after="$(last_version)"
  check "rescaled $from -> $to: versions continue" "$((after > before ? 0 : 1))" \
    "v$before before the savepoint, v$after now"
}

job_canceled() { rest "/jobs/$1" | jq -e '.state=="CANCELED"'; }

# reseed COUNT SEED: cancels the job without a savepoint and submits a new one at parallelism 2 without state;
# it must continue the last committed snapshot (docs/RECOVERY.md, "Fresh start without state"): versions above
# the last, eventsSeen never below it and, after COUNT more events, equal to all events produced.
reseed() {
  local count="$1" seed="$2" before before_e after min_e seeded
  before="$(last_version)"
  before_e="$(tail -1 "$WORK/snapshots.jsonl" | jq .e)"
  # The source commits its offsets after the checkpoint that published the last snapshot completes (and
  # asynchronously): a few more checkpoints (every 1 s) make sure they cover every event before the cancel.
  sleep 5
  log "cancel of $JOB (no savepoint) at v$before, eventsSeen $before_e"
  flink_cli cancel "$JOB" >"$LOGS/cancel-$JOB.out" 2>&1 || { cat "$LOGS/cancel-$JOB.out" >&2; die "cancel of $JOB failed"; }
  wait_for "job $JOB CANCELED" 120 job_canceled "$JOB" || exit 1
  log "resubmitting at parallelism 2 without a savepoint"
  JOB="$(submit_and_wait 2 180)"
  produce_bg "$count" "$seed"
  wait_producer
  PRODUCED=$((PRODUCED + count))
  check_events_seen "fresh start after cancel: eventsSeen continues" "$PRODUCED" \
    "eventsSeen $PRODUCED = $PRODUCED produced in all (the seed's $before_e and $count new)"
  check_versions "after cancel + resubmit"
  after="$(last_version)"
  check "fresh start after cancel: versions continue" "$((after > before ? 0 : 1))" \
    "v$before before the cancel, v$after now"
  min_e="$(jq -s --argjson v "$before" '[.[] | select(.v > $v) | .e] | min // 0' "$WORK/snapshots.jsonl")"
  check "fresh start after cancel: eventsSeen never falls back" "$((min_e > before_e ? 0 : 1))" \
    "the new job's first snapshot counts $min_e events, the last before the cancel $before_e"
  seeded="$(cat "$LOGS"/tm*.log | grep -c "continuing the model of v$before\b" || true)"
  check "fresh start after cancel: the publisher seeded from v$before" "$((seeded >= 1 ? 0 : 1))" \
    "$seeded TaskManager log line(s) 'continuing the model of v$before'"
}

# ---------------------------------------------------------------------------------------------------
log "cluster test: $N1 + $N2 + $N3 + $N4 events at $RATE/s, base port $BASE_PORT"
"$HERE/start.sh" --no-job

log "submitting the learner job (parallelism 2)"
t_submit=$(now_ms)
JOB="$(submit_and_wait 2 180)"
t_running=$(now_ms)
metric "submit -> all tasks RUNNING: $((t_running - t_submit)) ms (flink run, parallelism 2)"
has_checkpoint() { [[ "$(completed_checkpoints "$JOB")" -ge 1 ]]; }
wait_for "first completed checkpoint" 120 has_checkpoint || exit 1
t_cp=$(now_ms)
cp_dur="$(rest "/jobs/$JOB/checkpoints" | jq '.latest.completed.end_to_end_duration')"
metric "first completed checkpoint: $((t_cp - t_submit)) ms after submit, $((t_cp - t_running)) ms after RUNNING (checkpoint itself ${cp_dur} ms end to end; polled every 0.5 s)"

# --- phase 1: TaskManager kill mid-stream ---
log "phase 1: producing $N1 events at $RATE/s"
produce_bg "$N1" 1
sleep "$KILL_AFTER"
victim_pid="$(cat "$PIDS/tm2")"
restored_before="$(rest "/jobs/$JOB/checkpoints" | jq '.counts.restored')"
log "kill -9 TaskManager tm2 (pid $victim_pid) mid-stream; starting replacement tm3"
t_kill=$(now_ms)
kill -9 "$victim_pid"
rm -f "$PIDS/tm2"
start_tm 3
# Recovered = restored from a checkpoint, all tasks RUNNING, and a checkpoint completed after the kill.
cp_after_kill() {
  local c
  c="$(rest "/jobs/$JOB/checkpoints")"
  jq -e --argjson r "$restored_before" --argjson t "$t_kill" \
    '.counts.restored > $r and (.latest.completed.latest_ack_timestamp // 0) > $t' <<<"$c" >/dev/null \
    && job_all_running "$JOB"
}
if wait_for "recovery after the TaskManager kill" 300 cp_after_kill; then
  t_rec=$(now_ms)
  running_at="$(rest "/jobs/$JOB" | jq '[.vertices[]."start-time"] | max')"
  check "recovery" 0 "job $JOB restored from a checkpoint and completed a new one; replacement tm3 registered"
  metric "recovery after kill -9 of a TaskManager: tasks RUNNING again $((running_at - t_kill)) ms after the kill, first checkpoint after it $((t_rec - t_kill)) ms (default heartbeats: interval 10 s, timeout 50 s)"
else
  check "recovery" 1 "job did not recover within 300 s, see $LOGS/jobmanager.log"
  exit 1
fi
wait_producer
log "phase 1: all $N1 events produced; waiting for the last snapshot to count them"
PRODUCED=$N1
check_events_seen "phase 1: eventsSeen = events produced" "$N1" "eventsSeen $N1 = $N1 produced (after a TaskManager kill)"
check_versions "phase 1"

# --- Prometheus reporter on both TaskManagers ---
# learner_series PORT: "name sum" for every certmetric series the reporter on PORT exports (values
# summed over their labels). awk reads the whole scrape: a `grep -q` at the end of a pipe would exit at
# the first match and, under pipefail, turn the upstream SIGPIPE (141) into a failed check.
learner_series() {
  { curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" || true; } \
    | awk '/^flink_[a-z_]*_certmetric_/ { n = $1; sub(/\{.*/, "", n); s[n] += $NF } END { for (k in s) print k, s[k] }' | sort
}
tm_ports=("$((PROM_JM_PORT + 1))" "$((PROM_JM_PORT + 3))")   # tm1 and the replacement tm3
seen=0; learner_seen=0; detail=""
for port in "${tm_ports[@]}"; do
  curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$port/metrics" && seen=$((seen + 1))
  series="$(learner_series "$port")"
  echo "$series" >"$LOGS/prometheus-$port.txt"
  events_in="$(awk '$1 ~ /_certmetric_events_in$/ { print $2 }' <<<"$series")"
  detail+="port $port: $(grep -c . <<<"$series" || true) certmetric series, events_in ${events_in:-none}; "
  awk -v v="${events_in:-0}" 'BEGIN { exit !(v > 0) }' && learner_seen=$((learner_seen + 1))
done
check "Flink Prometheus reporter on both TaskManagers" "$([[ $seen == 2 ]] && echo 0 || echo 1)" "ports ${tm_ports[*]}: $seen of 2 answer"
check "learner metrics through the Flink reporter on both TaskManagers" "$([[ $learner_seen == 2 ]] && echo 0 || echo 1)" \
  "${detail}series in $LOGS/prometheus-<port>.txt"

# --- phase 2: stop-with-savepoint, resume at parallelism 1 ---
# At parallelism 1 LearnerJob builds no merged-model feedback source (uid merged-model-source, P > 1
# only), so its state (the feedback consumer's offsets, nothing of the model) has no operator to go to
# and Flink refuses the savepoint unless told to drop it.
rescale 2 1 "$N2" 2 allow-non-restored

# --- phase 3: stop-with-savepoint, resume at parallelism 2 ---
rescale 1 2 "$N3" 3

# --- phase 4: cancel without a savepoint, resubmit without state: the job seeds itself ---
reseed "$N4" 4

metric "learner job jar: $(stat -c %s "$LEARNER_JAR") bytes ($LEARNER_JAR)"
exit "$FAILED"
