#!/usr/bin/env bash
# Failover under a mixed load (issue 16): starts `cluster start --replicas 2` (1 leaf per replica
# group, 8 partitions) in a scratch directory, loads 1,000 orders, runs FailoverMixProbe (4 writers
# posting small batches to `events` over HTTP, 4 readers each on its own JDBC connection running
# queries with known answers on `orders` and a monotonic count on `events`) for SECONDS, kill -9s
# leaf-g0-0 15 s in, restarts it by hand 20 s later, and at 45 s kill -9s leaf-g1-0 if leaf-g0-0
# serves again by then (SECOND_KILL=0 skips that). Prints queries run / succeeded / failed / wrong,
# writes acknowledged / failed, latencies by phase (kill, restart, second kill), the first errors.
# Usage: bench/scripts/failover-mix.sh [SECONDS] [PORT]   (SECONDS >= 50 for the second kill)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
port="${2:-19875}"
second_kill="${SECOND_KILL:-1}"
export CONVERGE_BUILD="${CONVERGE_BUILD:-never}"
dir="$(mktemp -d /tmp/converge-failover-mix-XXXXXX)"
cleanup() {
  [ -n "${probe:-}" ] && kill "$probe" 2>/dev/null || true
  # the restarted leaf first, while Kafka still runs (without it its shutdown hangs)
  if [ -n "${leaf_pid:-}" ] && kill "$leaf_pid" 2>/dev/null; then
    for i in $(seq 1 100); do kill -0 "$leaf_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$leaf_pid" 2>/dev/null || true
  fi
  bin/converge cluster stop --dir "$dir" >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ]; then echo "kept: $dir $dir.*" >&2; else rm -rf "$dir" "$dir".*; fi
}
trap cleanup EXIT
bin/converge cluster start --dir "$dir" --leaves 1 --replicas 2 --partitions 8 --port "$port" \
  --no-auth --leaf-heap 512m --aggregator-heap 512m > "$dir.start.log" 2>&1
data=model-examples/data/orders-1k.ndjson
bin/converge load --url "http://127.0.0.1:$port" --collection orders "$data" > /dev/null
url="jdbc:avatica:remote:url=http://127.0.0.1:$port;serialization=protobuf"
cp="avatica-server/target/lib/*"
for i in $(seq 1 60); do
  n=$(java -cp "$cp" bench/scripts/FailoverProbe.java "$url" orders 1 2000 2>/dev/null | awk '$2=="OK"{print $3; exit}')
  [ "${n:-}" = 1000 ] && break; sleep 1
done
[ "${n:-}" = 1000 ] || { echo "orders never counted 1000 (last: ${n:-none})" >&2; exit 1; }
java -Xmx256m -cp "$cp" bench/scripts/FailoverMixProbe.java "$url" "http://127.0.0.1:$port" \
  "$data" "$seconds" > "$dir.probe" 2> "$dir.probe.err" &
probe=$!
for i in $(seq 1 1200); do
  grep -q '^START' "$dir.probe" && break
  kill -0 "$probe" 2>/dev/null || { cat "$dir.probe.err" >&2; exit 1; }
  sleep 0.1
done
start_ms=$(awk '$1=="START"{print $2}' "$dir.probe")
proc() { python3 -c "import json;print([p for p in json.load(open('$dir/cluster.json'))['processes'] if p['name']=='$1'][0]['pid'])"; }
# the state of the leaf with pid $1 as the aggregator sees it (GET /v1/cluster): serving,
# catching_up, idle, ...; none until it is a live member of its group. By pid, not by group: the
# killed leaf may still be listed alive (and serving) a while after the kill
state() {
  curl -s -m 2 "http://127.0.0.1:$port/v1/cluster" | python3 -c "
import json, sys
live = [l for l in json.load(sys.stdin)['leaves'] if l.get('pid') == $1 and l.get('alive')]
print(live[0]['state'].replace(' ', '_') if live else 'none')" 2>/dev/null || echo unknown
}
until_ms() { local d=$(( $1 - $(date +%s%3N) )); [ "$d" -gt 0 ] && sleep "$(awk -v d="$d" 'BEGIN{print d/1000}')" || true; }

until_ms $((start_ms + 15000))
kill_ms=$(date +%s%3N)
kill -9 "$(proc leaf-g0-0)"
until_ms $((kill_ms + 20000))
boot=$(python3 -c "import json;print(json.load(open('$dir/cluster.json'))['bootstrap'])")
restart_ms=$(date +%s%3N)
CONVERGE_HEAP=512m bin/converge leaf --kafka "$boot" --data-dir "$dir/leaf-g0-0" --replica-group g0 --host 127.0.0.1 \
  > "$dir.leaf.log" 2>&1 &
leaf_pid=$!
rejoin_ms=0
serving_ms=0
kill2_ms=0
# until the probe ends, or later while the restarted leaf has not been seen serving (90 s at most)
while [ "$(date +%s%3N)" -lt $((start_ms + seconds * 1000)) ] \
    || { [ "$serving_ms" = 0 ] && [ "$(date +%s%3N)" -lt $((restart_ms + 90000)) ]; }; do
  if [ "$serving_ms" = 0 ]; then
    now=$(date +%s%3N) g0=$(state "$leaf_pid")
    case "$g0" in none|unknown) ;; *) [ "$rejoin_ms" = 0 ] && rejoin_ms=$now ;; esac
    [ "$g0" = serving ] && serving_ms=$now
  fi
  if [ "$second_kill" = 1 ] && [ "$serving_ms" != 0 ] && [ "$kill2_ms" = 0 ] \
      && [ "$(date +%s%3N)" -ge $((start_ms + 45000)) ] \
      && [ "$(date +%s%3N)" -lt $((start_ms + seconds * 1000 - 5000)) ]; then
    kill2_ms=$(date +%s%3N)
    kill -9 "$(proc leaf-g1-0)"
  fi
  [ "$serving_ms" != 0 ] && { [ "$second_kill" != 1 ] || [ "$kill2_ms" != 0 ]; } && break
  sleep 0.2
done
wait "$probe" || true
probe=""
grep '^baseline' "$dir.probe.err" | tr '\n' ';' | sed 's/;$/\n/' || true
python3 - "$dir.probe" "$kill_ms" "$restart_ms" "$rejoin_ms" "$serving_ms" "$kill2_ms" <<'PY'
import sys
path = sys.argv[1]
kill, restart, rejoin, serving, kill2 = (int(a) for a in sys.argv[2:7])
lines = [l.split() for l in open(path)]
start = next(int(l[1]) for l in lines if l[0] == 'START')
q = [l for l in lines if l[0] == 'Q' and l[3] != 'CONNECT']
w = [l for l in lines if l[0] == 'W' and int(l[1]) >= start]
end = next((l for l in lines if l[0] == 'END'), None)
ok = [l for l in q if l[4] == 'OK']
err = [l for l in q if l[4] == 'ERR']
wrong = [l for l in q if l[4] == 'WRONG']
def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, -(-len(xs) * p // 100) - 1)] if xs else None
def lat(frm, to):
    xs = [int(l[5]) for l in q if frm <= int(l[1]) < to and l[4] != 'ERR']
    return f"p50 {pct(xs, 50)} / p99 {pct(xs, 99)} / max {max(xs, default=None)} ms ({len(xs)} queries)"
print(f"queries: {len(q)} run, {len(ok)} succeeded, {len(err)} failed, {len(wrong)} wrong; "
      f"success {100.0 * len(ok) / max(1, len(q)):.2f}%")
acked = [l for l in w if l[3] == 'ACK']
failed = [l for l in w if l[3] == 'FAIL']
retried = [l for l in w if int(l[6]) > 0]
print(f"writes: {len(acked)} batches acknowledged ({sum(int(l[4]) for l in acked)} docs), "
      f"{len(failed)} failed ({sum(int(l[4]) for l in failed)} docs), {len(retried)} retried after 503"
      + (f"; events documents sent {end[2]}, acknowledged {end[3]} (seed included)" if end else ""))
stop = max(int(l[1]) for l in q) + 1
print("latency p50 / p99 / max by when the query started:")
print(f"  before the kill (from 5 s in):         {lat(start + 5000, kill)}")
print(f"  within 15 s after kill -9 leaf-g0-0:   {lat(kill, kill + 15000)}")
print(f"  leaf-g0-0 down (kill -> restart):      {lat(kill, restart)}")
print(f"  after the restart of leaf-g0-0:        {lat(restart, kill2 or stop)}")
if rejoin:
    print(f"  within 15 s after it is alive again:   {lat(rejoin, rejoin + 15000)}")
if kill2:
    print(f"  within 15 s after kill -9 leaf-g1-0:   {lat(kill2, kill2 + 15000)}")
slow = max(q, key=lambda l: int(l[5]))
print(f"slowest query: {slow[5]} ms, {slow[3]} {slow[4]}, started {(int(slow[1]) - start) / 1000:.1f} s in "
      f"(kill at {(kill - start) / 1000:.1f} s, restart at {(restart - start) / 1000:.1f} s)")
print(f"restart of leaf-g0-0 -> alive again: {str(rejoin - restart) + ' ms' if rejoin else 'not seen'}, "
      f"-> serving: {str(serving - restart) + ' ms' if serving else 'not seen within 90 s'}; "
      f"second kill: {'at %.1f s' % ((kill2 - start) / 1000) if kill2 else 'not done'}")
shapes = sorted({l[3] for l in q})
print("per shape (run/failed/wrong): " + ", ".join(
    f"{s} {sum(1 for l in q if l[3] == s)}/{sum(1 for l in err if l[3] == s)}/"
    f"{sum(1 for l in wrong if l[3] == s)}" for s in shapes))
for l in sorted(err + wrong, key=lambda l: int(l[1]))[:3]:
    print(f"  {l[4].lower()} at {(int(l[1]) - start) / 1000:.1f} s, {l[3]}: {l[6].replace('_', ' ')[:200]}")
for l in failed[:3]:
    print(f"  write failed at {(int(l[1]) - start) / 1000:.1f} s: {l[7].replace('_', ' ')[:200]}")
PY
