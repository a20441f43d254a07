#!/usr/bin/env bash
# HTTP throughput of the scorer under wrk: starts the demo pipeline (embedded broker, Flink learner,
# scorer) on letter (bench/datasets/letter.csv: 26 classes, about 770 rows each, all of which the default
# snapshots.exemplars-per-class, 1000, can carry; without the file, the bundled vehicle set), keeps the scorer's HTTP endpoint up
# (`demo --keep-alive`), runs wrk (2 threads, 16 keep-alive connections, 15 s) with
# bench/wrk-score.lua POSTing valid /score requests of varying features, prints wrk's output and
# writes it, with machine, date and load average, between the wrk markers of BENCHMARKS.md
# section 4 (after an unmeasured warm-up run). The demo process is stopped at the end.
#   DURATION=15s THREADS=2 CONNECTIONS=16   wrk's settings
#   WARMUP=30s                              the unmeasured run before: a fresh server JVM answered 5.8k, 14.6k
#                                           and 19.9k requests/s in its first three 10 s runs (JIT compilation)
#   JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/score.jfr,settings=profile"   to profile the server
#   EXEMPLARS_PER_CLASS=50                  snapshots.exemplars-per-class of the demo (default: the configured
#                                           default); 50 gives letter the 1,300 exemplars of the scorer's targets
#   NO_WRITE=1                              print only, leave BENCHMARKS.md alone
#   JAR=path/to/certmetric.jar              another build (before/after comparisons); default cli/target/certmetric.jar
#   LAYOUT=processes                        the production layout instead of the demo's single JVM: a broker
#                                           (`broker`), the file produced once (`produce`), the learner run
#                                           over it and stopped (`learn --max-events`), then the scorer alone
#                                           (`score`) serving the last snapshot. wrk then shares the 2 cores
#                                           with an idle broker, not with the demo's broker and Flink job.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
  else sudo apt-get install -y wrk || { sudo apt-get update && sudo apt-get install -y wrk; }; fi
fi
jar="${JAR:-cli/target/certmetric.jar}"
[ -f "$jar" ] || [ -n "${JAR:-}" ] || mvn -q -B -ntp package -pl cli -am -DskipTests
[ -f "$jar" ] || { echo "no $jar" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do   # scorer first, broker last; the demo's shutdown hook stops all it runs
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

if [ -f bench/datasets/letter.csv ]; then data=(--data bench/datasets/letter.csv); else data=(--dataset vehicle); fi
printf 'metrics:\n  port: 0\n' > "$work/certmetric.yaml"
if [ -n "${EXEMPLARS_PER_CLASS:-}" ]; then
  printf 'snapshots:\n  exemplars-per-class: %s\n' "$EXEMPLARS_PER_CLASS" >> "$work/certmetric.yaml"
fi
# Waits for the line that names the port in a process's log; the process must stay up meanwhile.
port_in_log() {
  local pid="$1" log="$2" pattern="$3" port=
  for _ in $(seq 1 600); do
    port=$(sed -n "s|$pattern|\\1|p" "$log" | head -1)
    [ -n "$port" ] && { echo "$port"; return; }
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "the process stopped before serving" >&2; exit 1; }
    sleep 1
  done
  cat "$log" >&2; echo "nothing served within 10 minutes" >&2; exit 1
}
if [ "${LAYOUT:-demo}" = processes ]; then
  java -jar "$jar" broker --port 0 --data-dir "$work/broker" > "$work/broker.log" 2>&1 &
  pids=("$!")
  bootstrap="127.0.0.1:$(port_in_log "$!" "$work/broker.log" '.*bootstrap: [0-9.]*:\([0-9]*\).*')"
  file="${data[1]}"
  [ "${data[0]}" = --data ] || file="$root/core/src/main/resources/datasets/vehicle.csv"
  java -jar "$jar" produce --data "$file" --bootstrap "$bootstrap" > "$work/produce.log" 2>&1
  events=$(sed -n 's/^produced \([0-9]*\) events to .*/\1/p' "$work/produce.log")
  java -jar "$jar" learn --bootstrap "$bootstrap" --config "$work/certmetric.yaml" --max-events "$events" \
    > "$work/learn.log" 2>&1
  tail -1 "$work/learn.log"
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" score --bootstrap "$bootstrap" --config "$work/certmetric.yaml" --http-port 0 \
    > "$work/score.log" 2>&1 &
  server_pid=$!
  pids=("$server_pid" "${pids[@]}")
  port=$(port_in_log "$server_pid" "$work/score.log" '.*http://127.0.0.1:\([0-9]*\)/.*')
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/model" >/dev/null && break; sleep 1; done
  features=$(head -1 "$file" | tr ',' '\n' | grep -vc '^label$')
else
  touch "$work/demo.log"
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" demo "${data[@]}" --events 20000 --config "$work/certmetric.yaml" \
    --keep-alive > "$work/demo.log" 2>&1 &
  server_pid=$!
  pids=("$server_pid")
  port=$(port_in_log "$server_pid" "$work/demo.log" '.*curl -s http://127.0.0.1:\([0-9]*\)/model.*')
  features=$(sed -n 's/^dataset [^:]*: [0-9]* rows, \([0-9]*\) features.*/\1/p' "$work/demo.log")
fi
model=$(curl -sf "http://127.0.0.1:$port/model")
echo "model: $model"
curl -sf -X POST "http://127.0.0.1:$port/score" -d '{"id":"check","features":['"$(seq -s, 1 "$features" | sed 's/[0-9]*/1/g')"']}' \
  >/dev/null || { echo "a valid /score request failed" >&2; exit 1; }

# The server's CPU seconds during the run: on a shared machine, answers per server CPU-second is the
# figure that depends least on the other load. The demo's JVM also holds the broker and an idle learner
# job, so the HTTP pool's threads (named certmetric-http) are summed on their own as well.
hz=$(getconf CLK_TCK)
cpu_seconds() { awk -v hz="$hz" '{print ($14 + $15) / hz}' "/proc/$server_pid/stat"; }
http_cpu_seconds() {
  local t total=0
  for t in /proc/"$server_pid"/task/*; do
    if [ "$(cat "$t/comm" 2>/dev/null)" = certmetric-http ]; then
      total=$((total + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
    fi
  done
  awk -v t="$total" -v hz="$hz" 'BEGIN {print t / hz}'
}
# An unmeasured run first: the measured run is then the JIT-compiled steady state, not the warm-up.
FEATURES="$features" wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-16}" -d"${WARMUP:-30s}" -s bench/wrk-score.lua "http://127.0.0.1:$port/score" >/dev/null
idle_before=$(cpu_seconds); sleep 5; idle=$(awk -v a="$idle_before" -v b="$(cpu_seconds)" 'BEGIN {printf "%.2f", (b - a) / 5}')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_before=$(cpu_seconds)
http_before=$(http_cpu_seconds)
out=$(FEATURES="$features" wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-16}" -d"${DURATION:-15s}" --latency \
  -s bench/wrk-score.lua "http://127.0.0.1:$port/score")
cpu_after=$(cpu_seconds)
http_after=$(http_cpu_seconds)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
requests=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in .*/\1/p')
out="$out
$(awk -v a="$cpu_before" -v b="$cpu_after" -v ha="$http_before" -v hb="$http_after" -v n="$requests" -v idle="$idle" \
  'BEGIN {printf "server JVM CPU during the run: %.1f s = %.0f answers per server CPU-second (idle before the run: %s CPU-s/s)\n", b - a, n / (b - a), idle;
          if (hb > ha) printf "HTTP pool threads: %.1f s = %.0f answers per HTTP-thread CPU-second", hb - ha, n / (hb - ha)}')"
echo "$out"
if [ -n "${NO_WRITE:-}" ]; then exit 0; fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
jdk=$(java -version 2>&1 | head -1)
exemplars=$(echo "$model" | sed -n 's/.*"exemplars":\([0-9]*\).*/\1/p')
classes=$(echo "$model" | grep -o '"classes":\[[^]]*\]' | tr -cd ',' | wc -c)
block="$work/block.md"
{
  echo '<!-- wrk:start (written by bench/wrk.sh) -->'
  echo "Latest \`bench/wrk.sh\` run: $(date -u +%Y-%m-%d) on $(nproc) vCPU $cpu, $jdk; load average $load_before before, $load_after after."
  echo "Model: $(echo "$model" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p'), $((classes + 1)) classes, $exemplars exemplars, p = $features; wrk ${THREADS:-2} threads, ${CONNECTIONS:-16} keep-alive connections, ${DURATION:-15s} after ${WARMUP:-30s} unmeasured, same machine as the server; layout: ${LAYOUT:-demo}."
  echo
  echo '```'
  echo "$out"
  echo '```'
  echo '<!-- wrk:end -->'
} > "$block"
awk -v block="$block" '
  /<!-- wrk:start/ { while ((getline line < block) > 0) print line; skip = 1; next }
  /<!-- wrk:end -->/ { skip = 0; next }
  !skip { print }
' "$root/BENCHMARKS.md" > "$work/BENCHMARKS.md"
if ! grep -q '<!-- wrk:start' "$root/BENCHMARKS.md"; then
  echo "BENCHMARKS.md has no wrk markers; not written" >&2; exit 1
fi
cp "$work/BENCHMARKS.md" "$root/BENCHMARKS.md"
echo "written to BENCHMARKS.md section 4"
