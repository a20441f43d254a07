#!/usr/bin/env bash
# Checks the monitoring files: promtool on the Prometheus config and the alert rules, then (unless
# --static) a live run: the demo with --keep-alive, a real Prometheus scraping it with prometheus.yml
# (pointed at the demo's ports) and alerts.yml, and every PromQL expression of the Grafana dashboard,
# and every metric selector of the rules, must return at least one series. Needs the built
# cli/target/certmetric.jar for the live part; takes ~2 minutes; not part of CI.
# Everything listens on 127.0.0.1 only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if ! command -v promtool >/dev/null; then
    apt-get update && apt-get install -y prometheus
fi
promtool check config "$here/prometheus.yml"
promtool check rules "$here/alerts.yml"
[[ "${1:-}" == "--static" ]] && exit 0

jar="$repo/cli/target/certmetric.jar"
[[ -f "$jar" ]] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

java -jar "$jar" demo --dataset wine --events 3000 --keep-alive >"$work/demo.out" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
    grep -q "running until Ctrl-C" "$work/demo.out" && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/demo.out"; exit 1; }
    sleep 1
done
scorer="$(grep -o 'curl -s http://127.0.0.1:[0-9]*/model' "$work/demo.out" | head -1 | sed 's|.*//\(.*\)/model|\1|')"
[[ -n "$scorer" ]] || { cat "$work/demo.out"; echo "demo did not start" >&2; exit 1; }
echo "demo up: learner 127.0.0.1:9249, scorer $scorer"
# one malformed and one valid request, so that the error counter (created on first use) exists too
curl -s -X POST "http://$scorer/score" -d '{"id":"check-bad"}' >/dev/null
curl -s -X POST "http://$scorer/score" \
    -d '{"id":"check","features":[13.2,1.8,2.1,15,100,2.5,2.6,0.3,1.6,5,1,3,1000]}' >/dev/null

# the repository's config, its scorer target moved to the demo's port
sed "s/127.0.0.1:8080/$scorer/" "$here/prometheus.yml" >"$work/prometheus.yml"
cp "$here/alerts.yml" "$work/"
prom_port=19090
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.out" 2>&1 &
pids+=($!)
sleep 40 # several 5 s scrapes: rate() and increase() need two samples in their window

PROM="http://127.0.0.1:$prom_port" DASHBOARD="$here/grafana-dashboard.json" python3 - <<'EOF'
import json, os, re, sys, time, urllib.parse, urllib.request

prom = os.environ["PROM"]

def api(path, **params):
    url = prom + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    if body["status"] != "success":
        sys.exit(f"{path} {params}: {body}")
    return body["data"]

failures = []
targets = api("/api/v1/targets")["activeTargets"]
for t in targets:
    print(f"target {t['labels']['job']:20} {t['scrapeUrl']:40} {t['health']}")
    if t["health"] != "up":
        failures.append(f"target {t['scrapeUrl']} is {t['health']}")

def expect_series(what, expr):
    n = len(api("/api/v1/query", query=expr)["result"])
    print(f"{n:4} series  {what}: {expr}")
    if n == 0:
        failures.append(f"{what}: no series for {expr}")

dashboard = json.load(open(os.environ["DASHBOARD"]))
def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))
for p in panels(dashboard["panels"]):
    for t in p.get("targets", []):
        expect_series("panel " + p["title"], t["expr"].replace("$model", ".*"))
for v in dashboard["templating"]["list"]:
    m = re.fullmatch(r"label_values\((\w+), *(\w+)\)", v.get("query", ""))
    if m:
        expect_series("variable " + v["name"], m.group(1))

# an alert's expression is empty while all is well, so each metric selector in it must have series
selector = re.compile(r"\b((?:certmetric|kafka)_\w+(?:\{[^}]*\})?)")
# rules are first evaluated up to one evaluation_interval (1 m by default) after start
for _ in range(30):
    rules = [r for g in api("/api/v1/rules")["groups"] for r in g["rules"]]
    if rules and all(r["health"] != "unknown" for r in rules):
        break
    time.sleep(3)
if not rules:
    failures.append("no rules loaded")
for r in rules:
    if r["health"] != "ok":
        failures.append(f"rule {r['name']} health {r['health']}: {r.get('lastError')}")
    for s in sorted(set(selector.findall(r["query"]))):
        expect_series("rule " + r["name"], s)
print(f"{len(rules)} rules loaded, evaluated with health ok: {all(r['health'] == 'ok' for r in rules)}")

if failures:
    print("\n".join(["FAILED:"] + failures))
    sys.exit(1)
print("monitoring check passed")
EOF
