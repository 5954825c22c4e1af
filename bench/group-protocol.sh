#!/usr/bin/env bash
# Benchmark: the classic and the consumer (KIP-848) group protocols during a scripted
# scale-up from 1 to 4 members and back to 1, on librdkafka 2.16's mock cluster.
#
#   make librdkafka-current && swift build -c release --product cardgenius
#   bench/group-protocol.sh                    # both protocols, RUNS=1, STEP=8 s
#   PROTOCOLS=consumer RUNS=3 STEP=10 bench/group-protocol.sh
#
# Method: per protocol and run, a fresh dev broker (input 8 partitions) with a backlog that
# outlasts the script, the simulator (200 ms mean latency, sigma 0.2), member 1; after
# WARMUP s, one member more every STEP s up to 4, then one less (SIGTERM, newest first)
# every STEP s down to 1; then member 1 stops (SIGTERM). Group budget 16 workers, 200/s.
# The simulator's /stats is sampled every 20 ms from the first scale step to the last one
# + STEP: "longest gap" is the longest run of samples with no call in flight; "redone" is
# input records with more than one result in the output topic (read with `tail`).
# Every process (broker included) runs on LD_LIBRARY_PATH=$LIBRDKAFKA_DIR.
source "$(dirname "$0")/lib.sh"
LIBRDKAFKA_DIR=${LIBRDKAFKA_DIR:-$ROOT/.venv-librdkafka/2.16.0}
[ -f "$LIBRDKAFKA_DIR/librdkafka.so.1" ] || { echo "no $LIBRDKAFKA_DIR/librdkafka.so.1: make librdkafka-current" >&2; exit 2; }
export LD_LIBRARY_PATH=$LIBRDKAFKA_DIR
PROTOCOLS=${PROTOCOLS:-classic consumer}
RUNS=${RUNS:-1}
STEP=${STEP:-8}
WARMUP=${WARMUP:-8}
USERS=${USERS:-12000}
RESULTS=$WORK/group-protocol.jsonl; : >"$RESULTS"
log "group protocol: work dir $WORK; $(machine_line)"

for proto in $PROTOCOLS; do
  for run in $(seq 1 "$RUNS"); do
    p=gp-$proto-$run
    start_broker "$p-broker" 8 --topic "$p-in:8" --topic "$p-out:8" --topic "$p-dlq:1"
    produce "$(users "$USERS")" "$p-in"
    start_sim "$p-sim" --latency-ms 200 --latency-sigma 0.2 --top 2
    export CARDGENIUS_KAFKA_GROUP_PROTOCOL=$proto CARDGENIUS_PROCESSING_COMMIT_INTERVAL_MS=1000
    MEMBER_LOG_LEVEL=info start_member "$p-m1" "$p" --max-workers 16 --rate 200 --burst 20 --metrics-port 0
    pids=("$MEMBER_PID")
    sleep "$WARMUP"
    grep -m1 -o 'librdkafka [0-9.]*, group protocol [a-z]*' "$WORK/$p-m1.log" >&2 || true
    # Sample calls in flight until the stop file appears.
    python3 - "$STATS" "$WORK/$p.inflight" "$WORK/$p.stop" <<'PY' &
import json, sys, time, urllib.request, os
url, out, stop = sys.argv[1:]
with open(out, "w") as f:
    while not os.path.exists(stop):
        try:
            n = json.load(urllib.request.urlopen(url, timeout=1))["in_flight"]
        except Exception:
            n = -1
        f.write(f"{time.time():.3f} {n}\n")
        time.sleep(0.02)
PY
    SAMPLER_PID=$!; STARTED+=("$SAMPLER_PID")
    for k in 2 3 4; do
      MEMBER_LOG_LEVEL=info start_member "$p-m$k" "$p" --max-workers 16 --rate 200 --burst 20 --metrics-port 0
      pids+=("$MEMBER_PID"); sleep "$STEP"
    done
    for k in 4 3 2; do stop "${pids[$((k - 1))]}"; sleep "$STEP"; done
    touch "$WORK/$p.stop"; wait "$SAMPLER_PID" 2>/dev/null || true
    stop "${pids[0]}"
    stop "$SIM_PID"
    "$BIN" tail --brokers "$BOOTSTRAP" --topic "$p-out" --exit-when-idle 3 --log-level warning >"$WORK/$p.out.jsonl" 2>/dev/null
    stop "$BROKER_PID"
    rebalances=$(cat "$WORK"/$p-m*.log | grep -c 'revoking [0-9]* partition' || true)
    python3 - "$proto" "$run" "$WORK/$p.inflight" "$WORK/$p.out.jsonl" "$rebalances" >>"$RESULTS" <<'PY'
import json, sys, collections
proto, run, inflight, out, rebalances = sys.argv[1:]
samples = [(float(t), int(n)) for t, n in (l.split() for l in open(inflight))]
longest = cur = 0.0; start = None; zero = 0
for i, (t, n) in enumerate(samples):
    if n == 0:
        zero += 1
        start = t if start is None else start
        longest = max(longest, t - start + 0.02)
    else:
        start = None
sources = collections.Counter()
for line in open(out):
    v = json.loads(line).get("value")
    if isinstance(v, dict) and "source" in v:
        sources[(v["source"]["partition"], v["source"]["offset"])] += 1
redone = sum(c - 1 for c in sources.values())
span = samples[-1][0] - samples[0][0] if samples else 0
print(json.dumps({"protocol": proto, "run": int(run), "samples": len(samples), "span_s": round(span, 1),
                  "longest_gap_s": round(longest, 2), "zero_samples": zero, "results": sum(sources.values()),
                  "records_with_result": len(sources), "redone": redone, "revocations": int(rebalances)}))
PY
    log "  $proto run $run: $(tail -1 "$RESULTS")"
  done
done

python3 - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("\n### Group protocols during a scale-up 1 → 4 members and back (librdkafka 2.16 mock)\n")
print("| protocol | run | window s | longest gap with no call in flight | samples at zero | records with a result | redone | revocations (all members) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['protocol']} | {r['run']} | {r['span_s']} | {r['longest_gap_s']} s | {r['zero_samples']} of {r['samples']} | {r['records_with_result']} | {r['redone']} | {r['revocations']} |")
PY
