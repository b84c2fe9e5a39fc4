#!/usr/bin/env bash
# Replica groups as isolated compute (issue 16): starts `cluster start --replicas 2 --leaves 1
# --partitions 8`, loads DOCS generated documents, pins each group's leaf to its own CPU (taskset,
# when there are at least 2), and runs IsolationProbe: a session on group g1 looks documents up by
# _id alone, then while THREADS sessions run a heavy scan-and-aggregate on group g0, then while
# they run it on g1. Reports the light query's p50/p99 per phase and the ratios to "alone".
# Usage: bench/scripts/isolation.sh [DOCS] [THREADS] [SECONDS_PER_PHASE] [PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
docs="${1:-200000}"
threads="${2:-2}"
seconds="${3:-20}"
port="${4:-19885}"
dir="$(mktemp -d /tmp/converge-isolation-XXXXXX)"
trap 'bin/converge cluster stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir" "$dir".*' EXIT
python3 - "$docs" > "$dir.docs.ndjson" <<'PY'
import json, sys
kinds = ["view", "click", "buy"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"_id": f"e{i}", "n": i, "kind": kinds[i % 3], "amount": (i * 7919) % 1000}))
PY
bin/converge cluster start --dir "$dir" --leaves 1 --replicas 2 --partitions 8 --port "$port" \
  --no-auth --leaf-heap 768m --aggregator-heap 768m > "$dir.start.log" 2>&1
bin/converge load --url "http://127.0.0.1:$port" --collection events "$dir.docs.ndjson" > /dev/null
url="jdbc:avatica:remote:url=http://127.0.0.1:$port;serialization=protobuf"
mkdir -p "$dir.d/probe"
javac -d "$dir.d/probe" -cp "avatica-server/target/lib/*" bench/scripts/FailoverProbe.java \
  bench/scripts/IsolationProbe.java
cp="$dir.d/probe:avatica-server/target/lib/*"
for i in $(seq 1 300); do
  n=$(java -cp "$cp" FailoverProbe "$url" events 1 2000 2>/dev/null \
    | awk '$2=="OK"{print $3; exit}')
  [ "${n:-}" = "$docs" ] && break; sleep 1
done
sleep 10 # both groups caught up
pid() { python3 -c "import json;print([p for p in json.load(open('$dir/cluster.json'))['processes'] if p['name']=='$1'][0]['pid'])"; }
if [ "$(nproc)" -ge 2 ]; then
  taskset -a -p -c 0 "$(pid leaf-g0-0)" > /dev/null
  taskset -a -p -c 1 "$(pid leaf-g1-0)" > /dev/null
  echo "leaf-g0-0 pinned to CPU 0, leaf-g1-0 to CPU 1 (aggregator, broker and clients unpinned)"
fi
java -cp "$cp" IsolationProbe "$url" events "$docs" g1 g0 "$threads" "$seconds"
