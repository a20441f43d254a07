#!/usr/bin/env bash
# Starts a real local cluster as separate processes on 127.0.0.1: a KRaft Kafka broker, a Flink
# JobManager and two TaskManagers (classpath from Maven artefacts), the learner job (Flink CLI,
# parallelism 2), the scorer; with --produce N also a producer of N events. Logs: deploy/local/work/logs.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

PRODUCE=0
NO_JOB=0
while (($#)); do
  case "$1" in
    --produce) PRODUCE="${2:?--produce needs a count}"; shift 2 ;;
    --no-job) NO_JOB=1; shift ;;
    -h|--help) echo "usage: $0 [--produce N] [--no-job]   (ports from CM_BASE_PORT, default 19000)"; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done

for tool in java curl jq mvn; do command -v "$tool" >/dev/null || die "$tool not found on PATH"; done
for jar in "$LEARNER_JAR" "$SCORER_JAR" "$CLI_JAR"; do
  [[ -f "$jar" ]] || die "$jar missing: build first with 'mvn -q -B -ntp package -DskipTests' at $ROOT"
done
for name in kafka jobmanager tm1 tm2 scorer; do
  pid_alive "$name" && die "$name already running (pid $(cat "$PIDS/$name")): run stop.sh first"
done
for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$JM_RPC_PORT" "$JM_REST_PORT" "$JM_BLOB_PORT" "$SCORER_PORT"; do
  port_open "$port" && die "port $port is busy: choose another CM_BASE_PORT (now $BASE_PORT)"
done
# A fresh cluster every time: the broker's data goes, so must checkpoints, savepoints and old logs.
rm -rf "$WORK/checkpoints" "$WORK/savepoints" "$WORK/scorer-state" "$LOGS" "$WORK"/tm*-tmp "$WORK/jm-tmp" "$WORK/job-id"
mkdir -p "$WORK" "$LOGS" "$PIDS"

# Classpaths from Maven artefacts (resolved once; offline first, the shared ~/.m2 usually has them).
for cp in flink kafka; do
  if [[ ! -s "$WORK/$cp.classpath" ]]; then
    log "resolving the $cp classpath (deploy/local/maven/$cp-pom.xml)"
    mvn -q -B -ntp -o -f "$HERE/maven/$cp-pom.xml" dependency:build-classpath -Dmdep.outputFile="$WORK/$cp.classpath" >"$LOGS/mvn-$cp.log" 2>&1 \
      || mvn -q -B -ntp -f "$HERE/maven/$cp-pom.xml" dependency:build-classpath -Dmdep.outputFile="$WORK/$cp.classpath" >"$LOGS/mvn-$cp.log" 2>&1 \
      || die "cannot resolve the $cp classpath, see $LOGS/mvn-$cp.log"
  fi
done

# --- Kafka (KRaft, combined broker + controller) ---
rm -rf "$WORK/kafka-data"
cat >"$WORK/kafka.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/kafka-data
num.partitions=2
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
PROPS
log "formatting Kafka storage"
java -Xmx256m -cp "$(kafka_cp)" kafka.tools.StorageTool format -t "$(java -cp "$(kafka_cp)" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
  -c "$WORK/kafka.properties" >"$LOGS/kafka-format.out" 2>&1 || die "kafka storage format failed, see $LOGS/kafka-format.out"
log "starting Kafka broker on $BOOTSTRAP"
start_bg kafka java -Xms256m -Xmx512m -cp "$(kafka_cp)" kafka.Kafka "$WORK/kafka.properties"
kafka_up() { pid_alive kafka || die "Kafka exited, see $LOGS/kafka.out"; port_open "$KAFKA_PORT"; }
wait_for "Kafka on $KAFKA_PORT (log: $LOGS/kafka.out)" 60 kafka_up || exit 1
# Two partitions: one per source subtask at parallelism 2.
kafka_topics --create --if-not-exists --topic certmetric.events --partitions 2 --replication-factor 1 >/dev/null \
  || die "cannot create the events topic"

# --- Flink configuration ---
mkdir -p "$FLINK_CONF" "$WORK/checkpoints" "$WORK/savepoints" "$WORK/jm-tmp"
cat >"$FLINK_CONF/config.yaml" <<YAML
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $JM_RPC_PORT
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.heap.size: 384m
jobmanager.memory.off-heap.size: 64m
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $JM_REST_PORT
blob.server.port: $JM_BLOB_PORT
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
# One slot per TaskManager: killing one leaves the parallelism-2 job short of a slot until a
# replacement registers, as on a real cluster.
taskmanager.numberOfTaskSlots: 1
# Required when the TaskManager is started without the distribution's scripts.
taskmanager.cpu.cores: 1
# Small fixed memory (2 cores, shared machine); must match the -Xmx/-XX:MaxDirectMemorySize of start_tm.
taskmanager.memory.framework.heap.size: 128m
taskmanager.memory.task.heap.size: 256m
taskmanager.memory.managed.size: 32m
taskmanager.memory.framework.off-heap.size: 128m
taskmanager.memory.task.off-heap.size: 0m
taskmanager.memory.network.min: 64m
taskmanager.memory.network.max: 64m
taskmanager.memory.jvm-metaspace.size: 256m
taskmanager.memory.jvm-overhead.min: 64m
taskmanager.memory.jvm-overhead.max: 64m
parallelism.default: 2
# Heartbeats: Flink's defaults (interval 10 s, timeout 50 s) on purpose.
restart-strategy.type: exponential-delay
restart-strategy.exponential-delay.initial-backoff: 1 s
restart-strategy.exponential-delay.max-backoff: 10 s
restart-strategy.exponential-delay.attempts-before-reset-backoff: 2147483647
execution.checkpointing.dir: file://$WORK/checkpoints
execution.checkpointing.savepoint-dir: file://$WORK/savepoints
execution.checkpointing.num-retained: 3
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: $PROM_JM_PORT
YAML
cat >"$FLINK_CONF/log4j.properties" <<'L4J'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
L4J
cat >"$FLINK_CONF/log4j-cli.properties" <<'L4J'
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = ConsoleAppender
appender.console.name = ConsoleAppender
appender.console.type = Console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %-5p %c{1} - %m%n
L4J

log "starting Flink JobManager (REST $REST)"
start_bg jobmanager java -Xms384m -Xmx384m "${JAVA_OPENS[@]}" -Dlog.file="$LOGS/jobmanager.log" \
  -Dlog4j.configurationFile="$FLINK_CONF/log4j.properties" -cp "$(flink_cp)" \
  org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$FLINK_CONF" \
  -Dio.tmp.dirs="$WORK/jm-tmp"
jm_up() { pid_alive jobmanager || die "JobManager exited, see $LOGS/jobmanager.log"; rest /overview; }
wait_for "JobManager REST (log: $LOGS/jobmanager.log)" 90 jm_up || exit 1
log "starting TaskManagers tm1, tm2 (Prometheus reporter ports $((PROM_JM_PORT + 1)), $((PROM_JM_PORT + 2)))"
start_tm 1
start_tm 2
tms_ready() {
  local n
  for n in tm1 tm2; do pid_alive "$n" || die "$n exited, see $LOGS/$n.log and $LOGS/$n.out"; done
  [[ "$(registered_tms)" -ge 2 ]]
}
wait_for "2 TaskManagers to register (logs: $LOGS/tm1.log, tm2.log)" 120 tms_ready || exit 1
log "2 TaskManagers registered"

if ((NO_JOB == 0)); then
  log "submitting the learner job (parallelism 2) with flink run"
  t0=$(now_ms)
  JOB_ID="$(submit_and_wait 2 120)"
  log "job $JOB_ID RUNNING, $(($(now_ms) - t0)) ms after submit"
fi

log "starting the scorer (HTTP 127.0.0.1:$SCORER_PORT)"
start_bg scorer java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -jar "$SCORER_JAR" --bootstrap "$BOOTSTRAP" --config "$ROOT/config/certmetric.yaml" \
  --http-port "$SCORER_PORT" --state-dir "$WORK/scorer-state"

if ((PRODUCE > 0)); then
  log "producing $PRODUCE events (wine, shuffled) to certmetric.events"
  java -Xmx256m -jar "$CLI_JAR" produce --bootstrap "$BOOTSTRAP" --data wine --shuffle \
    --repeat "$(((PRODUCE + 177) / 178))" >"$LOGS/produce.out" 2>&1 || die "producer failed, see $LOGS/produce.out"
fi
log "cluster up: Kafka $BOOTSTRAP, Flink UI $REST, scorer http://127.0.0.1:$SCORER_PORT; stop with $HERE/stop.sh"
