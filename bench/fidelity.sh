#!/usr/bin/env bash
# Reproduces the fidelity table of BENCHMARKS.md: the reference implementation's protocol
# (10 rounds of random 70/30 splits, mu 0.34, lambda 20, tau 0.27, k 3, v 10, noise after
# preprocessing) on every bundled dataset, then on the larger sets of bench/datasets (segment, digits
# and letter, every method: the L-BFGS batch fit takes about 15 s on letter's 14,000 training rows).
# JSON and HTML reports land in target/fidelity/. ROUNDS=3 bench/fidelity.sh for a quick look;
# OPTIMIZER=reference bench/fidelity.sh for the reference's projected-gradient path (default: lbfgs).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f cli/target/certmetric.jar ] || mvn -q -B package -DskipTests
rounds="${ROUNDS:-10}"
mkdir -p target/fidelity
run() {
  local data="$1" name="$2"; shift 2
  echo "== $name"
  java -jar cli/target/certmetric.jar evaluate --data "$data" --rounds "$rounds" --seed 42 \
    --optimizer "${OPTIMIZER:-lbfgs}" \
    --mu 0.34 --lambda 20 --tau 0.27 --k 3 --impostors 10 \
    --json "target/fidelity/$name.json" --report "target/fidelity/$name.html" "$@"
}
for d in iris wine wdbc breast-cancer ionosphere vehicle heart-scale glass zoo; do
  run "$d" "$d"
done
for d in segment digits letter; do
  run "bench/datasets/$d.csv" "$d"
done
