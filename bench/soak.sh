#!/usr/bin/env bash
# Soak test (issue 10 item 6; never run in CI): broker, learner and scorer as separate processes
# for SOAK_MINUTES under mixed traffic (~1% bad events, ~5% bad scoring requests), with a broker
# restart and a learner kill -9 midway. Checks: events in = learned + dead-lettered, every scoring
# request answered exactly once, snapshot versions strictly increasing, heap/RSS flat.
# Usage: SOAK_MINUTES=6 SOAK_BASE_PORT=29400 nice -n 10 bench/soak.sh   (report: target/soak/report.md)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${SOAK_JAR:-$ROOT/cli/target/certmetric.jar}   # SOAK_JAR: a copy, so a rebuild cannot swap the jar under running processes
MIN=${SOAK_MINUTES:-10}
BASE=${SOAK_BASE_PORT:-29400}
PORT=$BASE
HTTP=$((BASE + 1))
METRICS=$((BASE + 2))
BS=127.0.0.1:$PORT
OUT=$ROOT/target/soak
JOPTS=(-Xmx512m -XX:+UseSerialGC)   # small heaps: the machine is shared
EV=certmetric.events DLQ=certmetric.events.dlq SNAP=certmetric.snapshots REQ=certmetric.requests SCO=certmetric.scores

die() { echo "soak: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*"; }
[[ -f $JAR ]] || die "missing $JAR: build with mvn -q -B -ntp -o package -DskipTests"
command -v kcat >/dev/null || apt-get install -y kcat >/dev/null || die "kcat missing and apt-get install kcat failed"
command -v jstat >/dev/null || die "jstat missing (need a JDK)"
(exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && die "port $PORT busy: set SOAK_BASE_PORT"

rm -rf "$OUT"; mkdir -p "$OUT"/{logs,broker-data,state}
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

start_broker() {
  java "${JOPTS[@]}" -jar "$JAR" broker --port "$PORT" --data-dir "$OUT/broker-data" >>"$OUT/logs/broker.log" 2>&1 &
  BROKER=$!; PIDS+=("$BROKER")
  for _ in $(seq 120); do
    kcat -b "$BS" -L -m 2 >/dev/null 2>&1 && return 0
    kill -0 "$BROKER" 2>/dev/null || die "broker died, see $OUT/logs/broker.log"
    sleep 1
  done
  die "broker not up on $BS after 120 s"
}
start_learner() {
  # its own metrics port: the default 9249 may be taken by another learner or demo on the machine
  java "${JOPTS[@]}" -jar "$JAR" learn --bootstrap "$BS" --set metrics.port="$METRICS" >>"$OUT/logs/learner.log" 2>&1 &
  LEARNER=$!; PIDS+=("$LEARNER")
}
start_scorer() {
  java "${JOPTS[@]}" -jar "$JAR" score --bootstrap "$BS" --http-port "$HTTP" --state-dir "$OUT/state" >>"$OUT/logs/scorer.log" 2>&1 &
  SCORER=$!; PIDS+=("$SCORER")
}
# read_committed: only what the transactional sinks committed counts
consume() { kcat -b "$BS" -C -t "$1" -o beginning -e -q -X isolation.level=read_committed "${@:2}" 2>/dev/null; }

# --- traffic material: iris rows as events, rows as requests, one bad of each kind ----------------
IRIS=$ROOT/core/src/main/resources/datasets/iris.csv
mapfile -t ROWS < <(tail -n +2 "$IRIS" | tr -d '\r')
BIG=$(head -c 70000 /dev/zero | tr '\0' 'x')   # over events.max-bytes (65536)
BAD_EVENTS=(
  '{"id":"bad","label":"1","features":[1,2,'                    # malformed_json
  '{"id":"bad","label":"","features":[1,2,3,4]}'                # empty_label
  '{"id":"bad","label":"1","features":[NaN,2,3,4]}'             # NaN
  '{"id":"bad","label":"1","features":[1e200,2,3,4]}'           # out_of_range
  '{"id":"bad","label":"1","features":[1,2,3]}'                 # wrong_dimension
  "{\"id\":\"bad\",\"label\":\"1\",\"features\":[1,2,3,4],\"pad\":\"$BIG\"}"  # oversized
)
BAD_REQS=('not json' '{"features":[1,2,3,4]}' '{"id":"%s","features":[1,2]}' '{"id":"%s","features":[1e300,1,1,1]}' '{"id":"%s","a":[1,2,3,4]}')

EV_SENT=0 EV_BAD=0 RQ_SENT=0 RQ_BAD=0 SEQ=0
: >"$OUT/requests.keys"
# One batch: 100 events (1 bad) and 20 requests (1 bad), each through one kcat producer.
# kcat -P exits non-zero if a message could not be delivered; then the batch is retried as a whole
# would double-count, so instead we count from the topics at the end and report the sender's view too.
send_batch() {
  local f=$OUT/batch.ev r=$OUT/batch.rq i row id
  : >"$f"; : >"$r"
  for i in $(seq 99); do
    row=${ROWS[$(( (SEQ * 99 + i) % ${#ROWS[@]} ))]}
    id="e$SEQ-$i"
    printf '%s\t{"id":"%s","label":"%s","features":[%s]}\n' "$id" "$id" "${row##*,}" "${row%,*}" >>"$f"
  done
  printf 'bad%s\t%s\n' "$SEQ" "${BAD_EVENTS[$((SEQ % ${#BAD_EVENTS[@]}))]}" >>"$f"
  for i in $(seq 19); do
    row=${ROWS[$(( (SEQ * 19 + i * 7) % ${#ROWS[@]} ))]}
    id="r$SEQ-$i"
    printf '%s\t{"id":"%s","features":[%s]}\n' "$id" "$id" "${row%,*}" >>"$r"
  done
  id="rb$SEQ"
  # the id is substituted, not passed to printf: a request without %s would make printf repeat the line
  bad=${BAD_REQS[$((SEQ % ${#BAD_REQS[@]}))]}
  printf '%s\t%s\n' "$id" "${bad//%s/$id}" >>"$r"
  # stdin, one message a line (a file argument would make the whole file one message)
  if kcat -b "$BS" -P -t "$EV" -K $'\t' -X message.timeout.ms=120000 -X message.max.bytes=1000000 <"$f" 2>>"$OUT/logs/kcat.log"; then
    EV_SENT=$((EV_SENT + 100)); EV_BAD=$((EV_BAD + 1))
  else log "WARN: event batch $SEQ not fully delivered"; fi
  if kcat -b "$BS" -P -t "$REQ" -K $'\t' -X message.timeout.ms=120000 <"$r" 2>>"$OUT/logs/kcat.log"; then
    RQ_SENT=$((RQ_SENT + 20)); RQ_BAD=$((RQ_BAD + 1))
  else log "WARN: request batch $SEQ not fully delivered"; fi
  cut -f1 "$r" >>"$OUT/requests.keys"
  SEQ=$((SEQ + 1))
}

# --- memory sampling: jstat heap used (S0U+S1U+EU+OU, KiB) and RSS (KiB) every 10 s ---------------
echo "t_s,role,pid,heap_used_kib,rss_kib" >"$OUT/memory.csv"
T0=$(date +%s)
sample() {
  local role pid heap rss
  for role in learner scorer; do
    pid=$([[ $role == learner ]] && echo "$LEARNER" || echo "$SCORER")
    kill -0 "$pid" 2>/dev/null || continue
    heap=$(jstat -gc "$pid" 2>/dev/null | awk 'NR==2 {printf "%.0f", $3+$4+$6+$8}') || true
    rss=$(ps -o rss= -p "$pid" | tr -d ' ') || true
    [[ -n $heap && -n $rss ]] && echo "$(( $(date +%s) - T0 )),$role,$pid,$heap,$rss" >>"$OUT/memory.csv"
  done
}

# --- run ------------------------------------------------------------------------------------------
log "soak: $MIN min, broker $BS, http $HTTP, output $OUT"
start_broker; log "broker up (pid $BROKER)"
start_learner; start_scorer; log "learner pid $LEARNER, scorer pid $SCORER"
END=$((T0 + MIN * 60)); BROKER_AT=$((T0 + MIN * 60 * 35 / 100)); LEARNER_AT=$((T0 + MIN * 60 * 65 / 100))
BROKER_DONE=0 LEARNER_DONE=0 NEXT_SAMPLE=$T0 NEXT_LOG=$T0
while (( $(date +%s) < END )); do
  now=$(date +%s)
  (( now >= NEXT_SAMPLE )) && { sample; NEXT_SAMPLE=$((now + 10)); }
  if (( !BROKER_DONE && now >= BROKER_AT )); then
    log "RESTART broker: kill pid $BROKER"
    kill "$BROKER"; wait "$BROKER" 2>/dev/null || true
    start_broker; BROKER_DONE=1; log "broker back (pid $BROKER)"
  fi
  if (( !LEARNER_DONE && now >= LEARNER_AT )); then
    log "RESTART learner: kill -9 pid $LEARNER"
    kill -9 "$LEARNER"; wait "$LEARNER" 2>/dev/null || true
    start_learner; LEARNER_DONE=1; log "learner restarted (pid $LEARNER)"
  fi
  kill -0 "$SCORER" 2>/dev/null || die "scorer died, see $OUT/logs/scorer.log"
  kill -0 "$LEARNER" 2>/dev/null || die "learner died, see $OUT/logs/learner.log"
  send_batch
  (( now >= NEXT_LOG )) && { log "sent events $EV_SENT (bad $EV_BAD), requests $RQ_SENT (bad $RQ_BAD)"; NEXT_LOG=$((now + 30)); }
  sleep 0.5   # ~150 events/s: mixed traffic, not a throughput test
done
log "traffic stopped; waiting for the learner and the scorer to drain (max 180 s)"

EV_IN=$(consume "$EV" -f 'x\n' | wc -l)
# Learned events: eventsSeen of the snapshots, in commit order. A learner that restarts without restoring its
# state (kill -9 of `learn`: the MiniCluster's checkpoints die with the process) starts a new count from 0
# while resuming from the group's committed offsets, so the last snapshot alone undercounts. Each drop of
# eventsSeen starts a new lifetime; learned = the sum of each lifetime's last eventsSeen, printed with the
# number of resets and the last snapshot's own count.
learned() {
  { consume "$SNAP" -f '%s\n' | grep -o '"eventsSeen":[0-9]*' || true; } | cut -d: -f2 \
    | awk '{ if (NR > 1 && $1 < prev) { sum += prev; resets++ } prev = $1 } END { print sum + prev, resets + 0, prev + 0 }'
}
for _ in $(seq 36); do
  sample
  read -r SEEN RESETS LAST_SEEN < <(learned)
  DL=$(consume "$DLQ" -f 'x\n' | wc -l)
  ANS=$(consume "$SCO" -f '%k\n' | wc -l)
  log "drain: events in $EV_IN, learned $SEEN ($RESETS resets, last snapshot $LAST_SEEN) + dead-lettered $DL = $((SEEN + DL)), answers $ANS/$RQ_SENT"
  (( SEEN + DL >= EV_IN && ANS >= RQ_SENT )) && break
  sleep 5
done

# --- checks ---------------------------------------------------------------------------------------
FAILS=0
check() { if [[ $1 == 1 ]]; then echo "PASS $2"; else echo "FAIL $2"; FAILS=$((FAILS + 1)); fi; }
consume "$SCO" -f '%k\n' | sort >"$OUT/answers.keys"
sort "$OUT/requests.keys" >"$OUT/requests.sorted"
LOST=$(comm -23 "$OUT/requests.sorted" <(sort -u "$OUT/answers.keys") | wc -l)
DUP=$(uniq -d "$OUT/answers.keys" | wc -l)
ERR_ANS=$(consume "$SCO" -f '%s\n' | grep -c '"error"' || true)
consume "$SNAP" -f '%s\n' | grep -o '"version":[0-9]*' | cut -d: -f2 >"$OUT/versions.txt"
NSNAP=$(wc -l <"$OUT/versions.txt")
MONO=$(awk 'NR>1 && $1<=prev {bad=1} {prev=$1} END {print bad ? 0 : 1}' "$OUT/versions.txt")
DLREASONS=$({ consume "$DLQ" -f '%h\n' | grep -o 'certmetric.dlq.reason=[a-z_]*' || true; } | cut -d= -f2 | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')

# memory: first/last/max per role and instance, least-squares slope of heap and RSS (MiB per hour);
# "flat" = the fitted growth over the instance's lifetime is under 25% of its mean (GC saw-tooth aside).
# The fit leaves out each process's first WARMUP_S seconds: a JVM's RSS grows while it commits heap and
# compiles code, which says nothing about a leak.
WARMUP_S=${SOAK_WARMUP_S:-120}
MEM=$(awk -F, -v warm="$WARMUP_S" 'NR>1 {k=$2" pid "$3; if(!(k in born)) born[k]=$1; if($1 - born[k] < warm) next
  n[k]++; t=$1; if(!(k in f)){f[k]=$4; fr[k]=$5; t0[k]=t}
  l[k]=$4; lr[k]=$5; if($4>mx[k])mx[k]=$4; if($5>mr[k])mr[k]=$5; t1[k]=t
  st[k]+=t; sh[k]+=$4; sr[k]+=$5; stt[k]+=t*t; sth[k]+=t*$4; str[k]+=t*$5}
  END {for (k in n) { d=n[k]*stt[k]-st[k]^2; bh=(d>0)?(n[k]*sth[k]-st[k]*sh[k])/d:0; br=(d>0)?(n[k]*str[k]-st[k]*sr[k])/d:0
    span=t1[k]-t0[k]; gh=bh*span; gr=br*span; flat=(n[k]<3 || (gh < 0.25*sh[k]/n[k] && gr < 0.25*sr[k]/n[k]))?1:0
    printf "%s|%d|%.0f/%.0f/%.0f|%.0f/%.0f/%.0f|%.1f|%.1f|%d\n", k, n[k], f[k]/1024, l[k]/1024, mx[k]/1024,
      fr[k]/1024, lr[k]/1024, mr[k]/1024, bh*3600/1024, br*3600/1024, flat }}' "$OUT/memory.csv" | sort)
MEMFLAT=$(echo "$MEM" | awk -F'|' '$7==0 {bad=1} END {print bad ? 0 : 1}')

{
  check $(( SEEN + DL == EV_IN )) "events in = learned + dead-lettered: $EV_IN = $SEEN + $DL (diff $((SEEN + DL - EV_IN)); sent $EV_SENT, bad $EV_BAD; learned summed over $((RESETS + 1)) learner lifetime(s))"
  check $(( RESETS == 0 )) "the restarted learner went on from its state: eventsSeen reset $RESETS time(s), last snapshot counts $LAST_SEEN of $SEEN learned"
  check $(( LOST == 0 )) "no answer lost: $RQ_SENT requests ($RQ_BAD bad), $(wc -l <"$OUT/answers.keys") answers, lost $LOST, error answers $ERR_ANS"
  check $(( DUP == 0 )) "no answer duplicated: duplicated $DUP"
  check "$MONO" "snapshot versions strictly increasing: $NSNAP snapshots, v$(head -1 "$OUT/versions.txt") .. v$(tail -1 "$OUT/versions.txt")"
  check "$MEMFLAT" "memory flat (linear trend over each process's life < 25% of its mean)"
} | tee "$OUT/checks.txt"
FAILS=$(grep -c '^FAIL' "$OUT/checks.txt" || true)

{
  echo "## Soak"
  echo
  echo "Machine: 2 vCPU AMD EPYC (shared), OpenJDK 17, date $(date -u +%F). Command:"
  echo "\`SOAK_MINUTES=$MIN nice -n 10 bench/soak.sh\` (processes: broker, \`learn\`, \`score\`, each -Xmx512m; traffic with kcat)."
  echo
  echo "| item | value |"
  echo "|---|---|"
  echo "| duration | $MIN min of traffic + drain |"
  echo "| events | $EV_IN in the events topic ($EV_SENT acknowledged to the sender), learned $SEEN (sum of each learner lifetime's last eventsSeen; $RESETS reset(s) of eventsSeen; the last snapshot says $LAST_SEEN), dead-lettered $DL |"
  echo "| bad inputs | $EV_BAD bad events (malformed JSON, empty label, NaN, 1e200, wrong dimension, 70 KB); DLQ reasons: ${DLREASONS%, } ; $RQ_BAD bad requests (not JSON, no id, wrong length, 1e300, a without b) |"
  echo "| restarts | broker (kill, same port, --data-dir) at 35%, learner kill -9 at 65% |"
  echo "| answers | $RQ_SENT requests, lost $LOST, duplicated $DUP, error answers $ERR_ANS |"
  echo "| snapshots | $NSNAP committed, versions strictly increasing: $([[ $MONO == 1 ]] && echo yes || echo no) |"
  echo
  echo "Memory (MiB; first/last/max over 10 s samples after each process's first $WARMUP_S s; slope by least squares, MiB/h):"
  echo
  echo "| process | samples | heap used first/last/max | RSS first/last/max | heap slope | RSS slope | flat |"
  echo "|---|---|---|---|---|---|---|"
  echo "$MEM" | awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, ($7==1)?"yes":"no"}'
  echo
  echo "Checks:"
  echo
  sed 's/^/    /' "$OUT/checks.txt"
} >"$OUT/report.md"
log "report: $OUT/report.md"
(( FAILS == 0 )) || { log "$FAILS check(s) failed"; exit 1; }
