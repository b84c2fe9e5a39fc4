#!/usr/bin/env bash
# Partitions moving between leaves under queries, with hand-offs and without (issue 16). For each
# mode, in one run: hand-offs on (the default) and off (-Dconverge.leaf.handoff=false: a leaf lets
# go of a partition the moment its group takes it away), it starts `cluster start --leaves 1
# --partitions 8` (one replica group, so no other copy to fall back on), loads DOCS generated
# documents, runs a prober (a count every 50 ms through the aggregator), then `cluster add-leaf`
# and `cluster remove-leaf --leaf leaf-g0-0`, and reports: queries answered, failed and wrong, and
# how long add-leaf (start -> the new leaf serves, the old one let go) and remove-leaf (drain ->
# the leaf stopped) took. Usage: bench/scripts/grow-shrink-times.sh [DOCS] [PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
docs="${1:-200000}"
port="${2:-19875}"
work="$(mktemp -d /tmp/converge-grow-XXXXXX)"
trap 'for d in "$work"/on "$work"/off; do bin/converge cluster stop --dir "$d" >/dev/null 2>&1 || true; done; kill ${probe:-} 2>/dev/null || true; rm -rf "$work"' EXIT
python3 - "$docs" > "$work/docs.ndjson" <<'PY'
import json, sys
kinds = ["view", "click", "buy"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"_id": f"e{i}", "n": i, "kind": kinds[i % 3], "amount": (i * 7919) % 1000}))
PY
url="jdbc:avatica:remote:url=http://127.0.0.1:$port;serialization=protobuf"
mkdir -p "$work/probe"
javac -d "$work/probe" -cp "avatica-server/target/lib/*" bench/scripts/FailoverProbe.java \
  bench/scripts/IsolationProbe.java
cp="$work/probe:avatica-server/target/lib/*"
now() { date +%s%3N; }
run() {
  local mode=$1 dir="$work/$1" opts=""
  [ "$mode" = off ] && opts="-Dconverge.leaf.handoff=false"
  JAVA_OPTS="$opts" bin/converge cluster start --dir "$dir" --leaves 1 --partitions 8 \
    --port "$port" --no-auth --leaf-heap 768m --aggregator-heap 512m > "$work/$mode.start.log" 2>&1
  bin/converge load --url "http://127.0.0.1:$port" --collection events "$work/docs.ndjson" \
    > /dev/null
  for i in $(seq 1 300); do
    n=$(java -cp "$cp" FailoverProbe "$url" events 1 2000 2>/dev/null \
      | awk '$2=="OK"{print $3; exit}')
    [ "${n:-}" = "$docs" ] && break; sleep 1
  done
  java -cp "$cp" FailoverProbe "$url" events 600 50 > "$work/$mode.probe" \
    2>/dev/null &
  probe=$!
  sleep 5
  local t0 t1 t2 t3
  t0=$(now)
  JAVA_OPTS="$opts" bin/converge cluster add-leaf --dir "$dir" > "$work/$mode.add.log" 2>&1
  t1=$(now)
  sleep 5
  t2=$(now)
  bin/converge cluster remove-leaf --dir "$dir" --leaf leaf-g0-0 > "$work/$mode.remove.log" 2>&1
  t3=$(now)
  sleep 5
  kill "$probe" 2>/dev/null || true
  wait "$probe" 2>/dev/null || true
  probe=""
  bin/converge cluster stop --dir "$dir" > /dev/null 2>&1
  echo "$mode $t0 $t1 $t2 $t3" >> "$work/times"
}
run on
run off
python3 - "$work" "$docs" <<'PY'
import sys
work, docs = sys.argv[1], sys.argv[2]
res = {}
for line in open(f"{work}/times"):
    mode, t0, t1, t2, t3 = line.split()
    t0, t1, t2, t3 = int(t0), int(t1), int(t2), int(t3)
    rows = [l.split() for l in open(f"{work}/{mode}.probe")]
    ok = [r for r in rows if r[1] == "OK"]
    err = [r for r in rows if r[1] == "ERR"]
    wrong = [r for r in ok if r[2] != docs]
    res[mode] = len(err)
    print(f"hand-offs {mode:3}: {len(rows)} queries, {len(ok)} answered, {len(err)} failed, "
          f"{len(wrong)} wrong; add-leaf {(t1 - t0) / 1000:.1f} s, remove-leaf {(t3 - t2) / 1000:.1f} s")
    for r in err[:2]:
        print("    failed:", r[2].replace("_", " ")[:150])
print(f"failed queries, hand-offs off / on: {res.get('off')} / {res.get('on')}")
PY
