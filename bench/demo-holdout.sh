#!/usr/bin/env bash
# The demo's held-out comparison on every bundled dataset and on bench/datasets: one `demo` run per
# set (20,000 events, seed 42), then a table of Euclidean 3-NN over all training rows (local), the
# learned metric over all training rows (local) and the scorer's answers (k-NN over the snapshot's
# exemplars), with the scorer's gap to Euclidean in held-out rows. Extra YAML for the learner (e.g.
# snapshot exemplars) goes in CONFIG=FILE; SETS="wine letter" runs a subset; JAR=FILE another build.
# Outputs land in target/demo-holdout/.
set -euo pipefail
cd "$(dirname "$0")/.."
jar="${JAR:-cli/target/certmetric.jar}"
[ -f "$jar" ] || [ -n "${JAR:-}" ] || mvn -q -B package -pl cli -am -DskipTests
sets="${SETS:-iris wine wdbc breast-cancer ionosphere vehicle heart-scale glass zoo segment digits letter}"
dir=target/demo-holdout
mkdir -p "$dir"
config="$dir/config.yaml"
# metrics on a free port: the default 9249 may be taken by another run
{ echo "metrics:"; echo "  port: 0"; [ -n "${CONFIG:-}" ] && cat "$CONFIG"; } > "$config"
printf '%-14s %6s %9s %9s %9s %9s %9s\n' set test exemplars euclidean learned scorer "gap rows"
for s in $sets; do
  if [ -f "bench/datasets/$s.csv" ]; then data=(--data "bench/datasets/$s.csv"); else data=(--dataset "$s"); fi
  java -jar "$jar" demo "${data[@]}" --events "${EVENTS:-20000}" --seed 42 --config "$config" \
    --json "$dir/$s.json" > "$dir/$s.txt" 2>"$dir/$s.err" || { echo "$s: demo failed, see $dir/$s.err"; continue; }
  test_rows=$(sed -n 's/.*held-out rows (\([0-9]*\)).*/\1/p' "$dir/$s.txt")
  exemplars=$(sed -n 's/.* over \([0-9]*\) exemplars.*/\1/p' "$dir/$s.txt")
  read -r eu le < <(awk '/0 \(clean\)/ {print $3, $4}' "$dir/$s.txt")
  sc=$(sed -n 's/.*learned-metric accuracy \([0-9.]*\).*/\1/p' "$dir/$s.txt")
  gap=$(awk -v a="$sc" -v b="$eu" -v n="$test_rows" 'BEGIN {printf "%+d", (a - b) * n + (a >= b ? 0.5 : -0.5)}')
  printf '%-14s %6s %9s %9s %9s %9s %9s\n' "$s" "$test_rows" "$exemplars" "$eu" "$le" "$sc" "$gap"
done
