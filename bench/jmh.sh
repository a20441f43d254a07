#!/usr/bin/env bash
# Runs the JMH benchmarks (cli/src/test/java/dev/certmetric/bench). Extra arguments go to JMH, e.g.
#   bench/jmh.sh StochasticUpdateBenchmark -p p=16
# Builds in the reactor and takes the class path from it: nothing is installed into the local repository.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
mvn -q -B -pl cli -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/target/jmh.classpath"
java -cp "cli/target/test-classes:cli/target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main \
  -rf json -rff target/jmh.json "$@"
echo "results: target/jmh.json"
