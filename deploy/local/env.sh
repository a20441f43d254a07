#!/usr/bin/env bash
# Shared settings and helpers of deploy/local (sourced by start.sh, stop.sh, cluster-test.sh).
# Every port is BASE_PORT + an offset, so a second copy (or other people's defaults, 9092/8081/9249)
# never clashes: CM_BASE_PORT=21000 ./start.sh

# Variables here are used by the scripts that source this file.
# shellcheck disable=SC2034

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${CM_WORK:-$HERE/work}"
BASE_PORT="${CM_BASE_PORT:-19000}"

KAFKA_PORT=$((BASE_PORT + 92))
KAFKA_CONTROLLER_PORT=$((BASE_PORT + 93))
JM_RPC_PORT=$((BASE_PORT + 123))
JM_REST_PORT=$((BASE_PORT + 81))
JM_BLOB_PORT=$((BASE_PORT + 124))
SCORER_PORT=$((BASE_PORT + 80))
# Prometheus reporter: JobManager at +250, TaskManager n at +250+n.
PROM_JM_PORT=$((BASE_PORT + 250))

BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REST="http://127.0.0.1:$JM_REST_PORT"
LEARNER_JAR="${CM_LEARNER_JAR:-$ROOT/learner/target/certmetric-learner.jar}"
SCORER_JAR="$ROOT/scorer/target/certmetric-scorer.jar"
CLI_JAR="$ROOT/cli/target/certmetric.jar"
FLINK_CONF="$WORK/flink-conf"
LOGS="$WORK/logs"
PIDS="$WORK/pids"

# Java 17 needs these for Flink (as the distribution's config.yaml sets env.java.default-opts.all).
JAVA_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
)

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

# Millisecond wall clock, for the measurements.
now_ms() { date +%s%3N; }

# wait_for DESCRIPTION TIMEOUT_S COMMAND...: polls COMMAND every 0.5 s.
wait_for() {
  local what="$1" timeout="$2"; shift 2
  local deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    if (($(date +%s) >= deadline)); then
      printf '[%s] ERROR: timed out after %ss waiting for %s\n' "$(date -u +%H:%M:%S)" "$timeout" "$what" >&2
      return 1
    fi
    sleep 0.5
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_bg NAME COMMAND...: runs COMMAND detached, stdout/stderr to logs/NAME.out, pid to pids/NAME.
start_bg() {
  local name="$1"; shift
  mkdir -p "$LOGS" "$PIDS"
  nohup "$@" >"$LOGS/$name.out" 2>&1 </dev/null &
  echo $! >"$PIDS/$name"
}

pid_alive() { [[ -f "$PIDS/$1" ]] && kill -0 "$(cat "$PIDS/$1")" 2>/dev/null; }

flink_cp() { cat "$WORK/flink.classpath"; }
kafka_cp() { cat "$WORK/kafka.classpath"; }

# Flink's own CLI against the local cluster.
flink_cli() {
  FLINK_CONF_DIR="$FLINK_CONF" java -Xmx256m "${JAVA_OPENS[@]}" \
    -Dlog4j.configurationFile="$FLINK_CONF/log4j-cli.properties" \
    -cp "$(flink_cp)" org.apache.flink.client.cli.CliFrontend "$@"
}

kafka_topics() { java -Xmx128m -cp "$(kafka_cp)" -Dlog4j2.level=WARN org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "$@"; }

# REST helpers (jq reads the JSON).
rest() { curl -fsS --max-time 5 "$REST$1"; }
running_job_id() { rest /jobs/overview | jq -r '[.jobs[] | select(.state=="RUNNING")][0].jid // empty'; }
# True when the job and all its tasks are RUNNING.
job_all_running() {
  local jid="$1"
  rest "/jobs/$jid" | jq -e '.state=="RUNNING" and ([.vertices[] | .status=="RUNNING"] | all)'
}

# Snapshot topic read read_committed from the beginning: one JSON line per committed snapshot
# (version, eventsSeen); the console consumer stops after 5 s without new records.
read_snapshots() {
  java -Xmx256m -cp "$(kafka_cp)" -Dlog4j2.level=WARN org.apache.kafka.tools.consumer.ConsoleConsumer \
    --bootstrap-server "$BOOTSTRAP" --topic certmetric.snapshots --from-beginning \
    --isolation-level read_committed --timeout-ms 5000 \
    --command-property max.partition.fetch.bytes=67108864 --command-property fetch.max.bytes=67108864 \
    2>/dev/null | grep "^{" | jq -c '{v: .body.version, e: .body.trainingStats.eventsSeen}'
}

# start_tm N: TaskManager N (1 slot; its own Prometheus reporter port, tmp dir and resource id).
start_tm() {
  local n="$1"
  mkdir -p "$WORK/tm$n-tmp"
  start_bg "tm$n" java -Xms384m -Xmx384m -XX:MaxDirectMemorySize=200m -XX:MaxMetaspaceSize=256m \
    "${JAVA_OPENS[@]}" -Dlog.file="$LOGS/tm$n.log" -Dlog4j.configurationFile="$FLINK_CONF/log4j.properties" \
    -cp "$(flink_cp)" org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$FLINK_CONF" \
    -Dtaskmanager.resource-id="tm$n" -Dmetrics.reporter.prom.port="$((PROM_JM_PORT + n))" \
    -Dio.tmp.dirs="$WORK/tm$n-tmp"
}

registered_tms() { rest /taskmanagers | jq '.taskmanagers | length'; }

# submit_job PARALLELISM [SAVEPOINT [allow-non-restored]]: Flink's CLI, detached; prints the job id.
submit_job() {
  local p="$1" sp="${2:-}" args=(run -d)
  [[ -n "$sp" ]] && args+=(-s "$sp")
  [[ "${3:-}" == allow-non-restored ]] && args+=(--allowNonRestoredState)
  args+=(-c dev.certmetric.learner.LearnerJob "$LEARNER_JAR"
    --config "$ROOT/config/certmetric.yaml" --bootstrap "$BOOTSTRAP" --parallelism "$p")
  flink_cli "${args[@]}" >"$LOGS/submit.out" 2>&1 || { cat "$LOGS/submit.out" >&2; return 1; }
  grep -oE 'JobID [0-9a-f]{32}' "$LOGS/submit.out" | awk '{print $2}' | tail -1
}

# submit_and_wait PARALLELISM TIMEOUT_S [SAVEPOINT [allow-non-restored]]: submits, records the job id in
# work/job-id and waits until all its tasks run; prints the job id.
submit_and_wait() {
  local p="$1" timeout="$2" jid; shift 2
  jid="$(submit_job "$p" "$@")" || die "flink run at parallelism $p failed, see $LOGS/submit.out"
  [[ -n "$jid" ]] || die "no job id in $LOGS/submit.out"
  echo "$jid" >"$WORK/job-id"
  wait_for "job $jid RUNNING" "$timeout" job_all_running "$jid" || exit 1
  echo "$jid"
}
