#!/usr/bin/env bash
# Reproduces the fidelity table of BENCHMARKS.md: the reference implementation's protocol
# (10 rounds of random 70/30 splits, mu 0.34, lambda 20, tau 0.27, k 3, v 10, noise after
# preprocessing) on every bundled dataset. JSON and HTML reports land in target/fidelity/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f cli/target/certmetric.jar ] || mvn -q -B package -DskipTests
mkdir -p target/fidelity
for d in iris wine wdbc breast-cancer ionosphere vehicle heart-scale glass zoo; do
  java -jar cli/target/certmetric.jar evaluate --data "$d" --rounds 10 --seed 42 \
    --mu 0.34 --lambda 20 --tau 0.27 --k 3 --impostors 10 \
    --json "target/fidelity/$d.json" --report "target/fidelity/$d.html"
done
