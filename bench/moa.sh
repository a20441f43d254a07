#!/usr/bin/env bash
# Prequential accuracy and speed of certmetric against MOA's kNN and SAMkNN (never run in CI).
#
# Generates MOA streams (WriteStreamToARFFFile, fixed seeds) and converts the bundled real datasets to
# ARFF, shuffled once with a fixed seed, so that both sides replay the same file in the same order;
# runs MOA's EvaluatePrequential (whole-stream accuracy) and `certmetric prequential` on each; prints a
# markdown table and writes it into BENCHMARKS.md between <!-- moa:begin --> and <!-- moa:end -->.
#
# MOA comes from Maven Central through a throwaway pom in a temporary directory: it is never a
# dependency of any certmetric module. Reads nothing outside the repository but MOA's jars.
#
#   MOA_EVENTS=50000     events of each generated stream
#   MOA_STREAMS="..."    which streams (default: all, see STREAMS below, with satellite, shuttle, dna and
#                        soybean once bench/debian-sets.sh has written them); also any other set it writes
#   MOA_VERSION=2023.04.0
#   CERTMETRIC_JAR=F     the CLI jar to run (default: cli/target/certmetric.jar), e.g. to compare two builds
#   MOA_REUSE=1          keep MOA's results (and the generated streams) from an earlier run in target/moa and
#                        re-run certmetric only, e.g. after a change to the learner
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${MOA_EVENTS:-50000}
MOA_VERSION=${MOA_VERSION:-2023.04.0}
GENERATED="rbf-drift hyperplane-drift led-drift waveform"
REAL="iris wine wdbc breast-cancer ionosphere vehicle heart-scale glass zoo segment digits letter"
# The larger real sets, when bench/debian-sets.sh has written them.
DEBIAN=$(for s in satellite shuttle dna soybean; do if [ -f "target/debian-sets/$s.csv" ]; then printf '%s ' "$s"; fi; done)
STREAMS=${MOA_STREAMS:-"$GENERATED $REAL $DEBIAN"}
OUT=target/moa
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
JAR=${CERTMETRIC_JAR:-cli/target/certmetric.jar}
[ -f "$JAR" ] || mvn -q -B package -DskipTests

# ssj (a MOA dependency) pulls dsol from a repository outside Central; prequential evaluation never uses it.
cat > "$WORK/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId><artifactId>moa-classpath</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>nz.ac.waikato.cms.moa</groupId><artifactId>moa</artifactId><version>$MOA_VERSION</version>
      <exclusions><exclusion><groupId>dsol</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
  </dependencies>
</project>
EOF
mvn -q -B -f "$WORK/pom.xml" dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null
MOA_CP=$(cat "$WORK/classpath.txt")
SIZEOFAG=$(tr ':' '\n' < "$WORK/classpath.txt" | grep sizeofag)
moa() { java -Xmx2g -javaagent:"$SIZEOFAG" -cp "$MOA_CP" moa.DoTask "$1"; }

generator() {
  case "$1" in
    rbf-drift) echo "generators.RandomRBFGeneratorDrift -r 1 -i 1 -c 5 -a 10 -n 50 -s 0.001" ;;
    hyperplane-drift) echo "generators.HyperplaneGenerator -i 1 -c 2 -a 10 -k 10 -t 0.001" ;;
    led-drift) echo "generators.LEDGeneratorDrift -i 1 -d 7" ;;
    waveform) echo "generators.WaveformGenerator -i 1" ;;
  esac
}

# A bundled CSV (header, numeric features, label last) as ARFF with its rows shuffled by seed 42.
cat > "$WORK/CsvToArff.java" <<'EOF'
import java.nio.file.*;
import java.util.*;

public class CsvToArff {
    public static void main(String[] a) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(a[0])));
        String[] header = lines.remove(0).split(",");
        lines.removeIf(String::isBlank);
        Collections.shuffle(lines, new Random(42));
        TreeSet<String> labels = new TreeSet<>();
        lines.forEach(l -> labels.add(l.substring(l.lastIndexOf(',') + 1).trim()));
        StringBuilder out = new StringBuilder("@relation '" + a[2] + " shuffled (seed 42)'\n");
        for (int i = 0; i < header.length - 1; i++) {
            out.append("@attribute '").append(header[i].trim()).append("' numeric\n");
        }
        out.append("@attribute class {").append(String.join(",", labels)).append("}\n@data\n");
        lines.forEach(l -> out.append(l.trim()).append('\n'));
        Files.writeString(Path.of(a[1]), out);
    }
}
EOF

# The last row of an EvaluatePrequential dump: "field" -> value, by column name.
column() { awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { print $c }' "$1"; }
json_number() { grep -m1 "\"$2\":" "$1" | sed 's/.*: *//; s/,$//'; }
now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

rows=()
for s in $STREAMS; do
  arff="$OUT/$s.arff"
  if [ "${MOA_REUSE:-0}" = 1 ] && [ -s "$arff" ]; then
    : # the same file as before, so that the kept MOA results replayed it
  elif [[ " $GENERATED " == *" $s "* ]]; then
    moa "WriteStreamToARFFFile -s ($(generator "$s")) -f $PWD/$arff -m $EVENTS" >"$OUT/$s.moa.log" 2>&1
  else
    csv="core/src/main/resources/datasets/$s.csv"
    [ -f "$csv" ] || csv="bench/datasets/$s.csv"
    [ -f "$csv" ] || csv="target/debian-sets/$s.csv"
    [ -f "$csv" ] || { echo "no data set named $s (the larger ones come from bench/debian-sets.sh)" >&2; exit 2; }
    java "$WORK/CsvToArff.java" "$csv" "$arff" "$s"
  fi

  t0=$(now)
  java -jar "$JAR" prequential --data "$arff" --json "$OUT/$s.json" >"$OUT/$s.out" 2>"$OUT/$s.log"
  t1=$(now)
  cm_wall=$(calc "$t1 - $t0")

  for learner in knn samknn; do
    case $learner in
      knn) spec="lazy.kNN -k 3 -w 1000" ;;
      samknn) spec="lazy.SAMkNN -k 5" ;;
    esac
    if [ "${MOA_REUSE:-0}" = 1 ] && [ -s "$OUT/$s.$learner.csv" ] && [ -s "$OUT/$s.$learner.wall" ]; then
      declare "${learner}_wall=$(cat "$OUT/$s.$learner.wall")"
    else
      t0=$(now)
      moa "EvaluatePrequential -l ($spec) -s (ArffFileStream -f $PWD/$arff) -e BasicClassificationPerformanceEvaluator \
-f 1000000000 -d $PWD/$OUT/$s.$learner.csv" >"$OUT/$s.$learner.log" 2>&1
      t1=$(now)
      calc "$t1 - $t0" > "$OUT/$s.$learner.wall"
      declare "${learner}_wall=$(cat "$OUT/$s.$learner.wall")"
    fi
    declare "${learner}_acc=$(column "$OUT/$s.$learner.csv" 'classifications correct (percent)')"
    declare "${learner}_cpu=$(column "$OUT/$s.$learner.csv" 'evaluation time (cpu seconds)')"
  done
  events=$(json_number "$OUT/$s.json" events)
  # Both rates per CPU second of the evaluating thread (JIT warm-up included, JVM start and file reading
  # not): what MOA reports, and what a shared machine's other load does not inflate.
  cm_cpu=$(sed -n 's/.*; \([0-9.]*\) CPU s).*/\1/p' "$OUT/$s.out")
  cm_rate=$(calc "$events / $cm_cpu")
  knn_rate=$(calc "$events / $knn_cpu")
  rows+=("$(LC_ALL=C printf '| %s | %d | %.4f | %.4f | %.4f | %.0f | %.0f | %.1fx | %.1f | %.1f | %.1f |' "$s" "$events" \
    "$(json_number "$OUT/$s.json" accuracy)" "$(calc "$knn_acc / 100")" "$(calc "$samknn_acc / 100")" \
    "$cm_rate" "$knn_rate" "$(calc "$cm_rate / $knn_rate")" "$cm_wall" "$knn_wall" "$samknn_wall")")
  echo "${rows[-1]}" >&2
done

table=$(
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'),"
  echo "$(java -version 2>&1 | head -1); MOA $MOA_VERSION. Generated streams: $EVENTS events. Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end. Produced by \`bench/moa.sh\`."
  echo
  echo "| stream | events | certmetric accuracy | MOA kNN | MOA SAMkNN | certmetric events per CPU-s | MOA kNN events per CPU-s | speed ratio | certmetric wall s | MOA kNN wall s | MOA SAMkNN wall s |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
)
echo "$table"

if ! grep -q '<!-- moa:begin -->' BENCHMARKS.md; then
  printf '\n## 7. Prequential accuracy and speed against MOA\n\n<!-- moa:begin -->\n<!-- moa:end -->\n' >> BENCHMARKS.md
fi
echo "$table" > "$WORK/table.md"
awk -v table="$WORK/table.md" '
  /<!-- moa:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- moa:end -->/ { skip = 0 }
  !skip' BENCHMARKS.md > "$WORK/BENCHMARKS.md"
cp "$WORK/BENCHMARKS.md" BENCHMARKS.md
echo "table written to BENCHMARKS.md" >&2
