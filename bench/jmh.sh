#!/usr/bin/env bash
# Runs the JMH benchmarks (src/test/java/dev/certmetric/bench). Extra arguments go to JMH, e.g.
#   bench/jmh.sh StochasticUpdateBenchmark -p p=16
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile
mvn -q -B exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  "-Dexec.args=-cp %classpath org.openjdk.jmh.Main -rf json -rff target/jmh.json $*"
echo "results: target/jmh.json"
