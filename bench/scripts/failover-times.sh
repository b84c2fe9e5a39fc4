#!/usr/bin/env bash
# Failover and rejoin times of a local cluster (issue 16): starts `cluster start --replicas 2`
# (1 leaf per replica group, 8 partitions) in a scratch directory, loads 1,000 orders, runs a
# prober (a count every 50 ms through the aggregator), kill -9s leaf-g0-0, restarts it by hand
# after a pause, and reports: queries failed across the kill, the time from the kill to the
# first query answered after it, and the time from the restart to the leaf serving all its
# partitions again (per `cluster status`). Usage: bench/scripts/failover-times.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${1:-19865}"
dir="$(mktemp -d /tmp/converge-failover-XXXXXX)"
# the restarted leaf first, while Kafka is still there for it to leave its group
trap 'kill "${leaf_pid:-0}" 2>/dev/null || true; wait "${leaf_pid:-0}" 2>/dev/null || true; bin/converge cluster stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir" "$dir".*' EXIT
bin/converge cluster start --dir "$dir" --leaves 1 --replicas 2 --partitions 8 --port "$port" \
  --no-auth --leaf-heap 512m --aggregator-heap 512m > "$dir.start.log" 2>&1
bin/converge load --url "http://127.0.0.1:$port" --collection orders \
  model-examples/data/orders-1k.ndjson > /dev/null
url="jdbc:avatica:remote:url=http://127.0.0.1:$port;serialization=protobuf"
cp="avatica-server/target/lib/*"
for i in $(seq 1 60); do
  n=$(java -cp "$cp" bench/scripts/FailoverProbe.java "$url" orders 1 2000 2>/dev/null | awk '$2=="OK"{print $3; exit}')
  [ "${n:-}" = 1000 ] && break; sleep 1
done
java -cp "$cp" bench/scripts/FailoverProbe.java "$url" orders 60 50 > "$dir.probe" 2>/dev/null &
probe=$!
sleep 10
proc() { python3 -c "import json,sys;p=[p for p in json.load(open('$dir/cluster.json'))['processes'] if p['name']=='$1'][0];print(p[sys.argv[1]] if sys.argv[1]!='ports' else p['ports']['flight'])" "$2"; }
victim_pid=$(proc leaf-g0-0 pid)
kill_ms=$(date +%s%3N)
kill -9 "$victim_pid"
sleep 20
boot=$(python3 -c "import json;print(json.load(open('$dir/cluster.json'))['bootstrap'])")
restart_ms=$(date +%s%3N)
CONVERGE_HEAP=512m bin/converge leaf --kafka "$boot" --data-dir "$dir/leaf-g0-0" --replica-group g0 --host 127.0.0.1 \
  > "$dir.leaf.log" 2>&1 &
leaf_pid=$!
serving_ms=""
for i in $(seq 1 600); do
  if bin/converge cluster status --url "http://127.0.0.1:$port" 2>/dev/null \
      | awk '$1 ~ /^leaf-g0/ && $6=="serving" {found=1} END {exit !found}'; then
    serving_ms=$(date +%s%3N); break
  fi
  sleep 0.1
done
wait "$probe"
python3 - "$dir.probe" "$kill_ms" "$restart_ms" "${serving_ms:-0}" <<'PY'
import sys
path, kill, restart, serving = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [l.split() for l in open(path)]
ok = [r for r in rows if r[1] == 'OK']
err = [r for r in rows if r[1] == 'ERR']
wrong = [r for r in ok if r[2] != '1000']
after = [int(r[0]) + int(r[3]) for r in ok if int(r[0]) >= kill]
first = min(after) - kill if after else None
slow = max((int(r[3]) for r in ok if int(r[0]) >= kill - 100 and int(r[0]) <= kill + 15000), default=0)
print(f"queries: {len(rows)} ({len(ok)} answered, {len(err)} failed, {len(wrong)} wrong counts)")
print(f"kill -9 -> first query answered after it: {first} ms; slowest answer within 15 s of the kill: {slow} ms")
print(f"restart -> the restarted leaf serves all its partitions: {serving - restart if serving else 'not within 60 s'} ms")
for r in err[:3]:
    print("  failed:", r[2].replace('_', ' ')[:160])
PY
