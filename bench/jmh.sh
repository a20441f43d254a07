#!/usr/bin/env bash
# Runs the JMH benchmarks (cli/src/test/java/dev/certmetric/bench). Extra arguments go to JMH, e.g.
#   bench/jmh.sh StochasticUpdateBenchmark -p p=16
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B install -DskipTests
mvn -q -B -pl cli exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  "-Dexec.args=-cp %classpath org.openjdk.jmh.Main -rf json -rff target/jmh.json $*"
echo "results: cli/target/jmh.json"
