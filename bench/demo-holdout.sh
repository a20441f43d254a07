#!/usr/bin/env bash
# The demo's held-out comparison on every bundled dataset and on bench/datasets: one `demo` run per
# set and seed (20,000 events, seed 42; SEEDS="42 1 2" for other splits and stream orders), then a
# table of Euclidean 3-NN over all training rows (local), the learned metric over all training rows
# (local) and the scorer's answers (k-NN over the snapshot's exemplars), with the scorer's gap to
# Euclidean in held-out rows; with several seeds, each set's total gap too. Extra YAML for the learner (e.g.
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
seeds="${SEEDS:-42}"
printf '%-14s %5s %6s %9s %9s %9s %9s %9s\n' set seed test exemplars euclidean learned scorer "gap rows" | tee "$dir/table.txt"
for s in $sets; do for seed in $seeds; do
  if [ -f "bench/datasets/$s.csv" ]; then data=(--data "bench/datasets/$s.csv"); else data=(--dataset "$s"); fi
  java -jar "$jar" demo "${data[@]}" --events "${EVENTS:-20000}" --seed "$seed" --config "$config" \
    --json "$dir/$s-$seed.json" > "$dir/$s-$seed.txt" 2>"$dir/$s-$seed.err" || { echo "$s: demo failed, see $dir/$s-$seed.err"; continue; }
  test_rows=$(sed -n 's/.*held-out rows (\([0-9]*\)).*/\1/p' "$dir/$s-$seed.txt")
  exemplars=$(sed -n 's/.* over \([0-9]*\) exemplars.*/\1/p' "$dir/$s-$seed.txt")
  read -r eu le < <(awk '/0 \(clean\)/ {print $3, $4}' "$dir/$s-$seed.txt")
  sc=$(sed -n 's/.*learned-metric accuracy \([0-9.]*\).*/\1/p' "$dir/$s-$seed.txt")
  gap=$(awk -v a="$sc" -v b="$eu" -v n="$test_rows" 'BEGIN {printf "%+d", (a - b) * n + (a >= b ? 0.5 : -0.5)}')
  printf '%-14s %5s %6s %9s %9s %9s %9s %9s\n' "$s" "$seed" "$test_rows" "$exemplars" "$eu" "$le" "$sc" "$gap" \
    | tee -a "$dir/table.txt"
done; done
# Over several seeds: each set's total gap and the number of splits below Euclidean.
if [ "$(wc -w <<< "$seeds")" -gt 1 ]; then
  awk 'NR > 1 {gap[$1] += $8; n[$1]++; if ($8 < 0) below[$1]++}
       END {printf "\n%-14s %6s %10s %12s\n", "set", "splits", "total gap", "splits below"
            for (s in gap) printf "%-14s %6d %+10d %12d\n", s, n[s], gap[s], below[s]}' "$dir/table.txt"
fi
