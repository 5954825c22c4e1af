#!/usr/bin/env bash
# Benchmark 3: peak RSS of one member with a 100k-record backlog.
#
#   bench/memory.sh                      # RECORDS=100000, RUNS=2 per variant
#   VARIANTS="drain" RUNS=3 bench/memory.sh
#
# The backlog is produced first to a 32-partition topic (100k x ~0.8 KB = ~80 MB, within
# the dev broker's ~5 MB per partition). Variants (rate limit disabled, top 20 cards):
#   drain  simulator 5 ms, --max-workers 64: the member works the whole backlog off
#          (ends at idle); peak RSS over the run, plus how long it took.
#   held   simulator 150 ms, --max-workers 20 (133 calls/s): the backlog stays in Kafka;
#          the member runs HOLD seconds with its buffers full, then is stopped.
# Peak RSS = VmHWM (/proc/PID/status) sampled by bench/monitor.py, cross-checked with
# /usr/bin/time -v "Maximum resident set size".
source "$(dirname "$0")/lib.sh"
RECORDS=${RECORDS:-100000}
RUNS=${RUNS:-2}
TOP=${TOP:-14}   # cards per simulator answer: 14 ≈ 37 KB (the load spec: 20–50 KB, ~35 KB)
VARIANTS=${VARIANTS:-drain held}
HOLD=${HOLD:-45}
RESULTS=$WORK/memory.jsonl; : >"$RESULTS"
log "memory: work dir $WORK; $(machine_line)"

start_broker memory-broker 8 --topic m-in:32 --topic m-out:16 --topic m-dlq:1
produce "$(users "$RECORDS")" m-in
export CARDGENIUS_API_RATE_LIMIT_ENABLED=false
for variant in $VARIANTS; do
  for run in $(seq 1 "$RUNS"); do
    case $variant in
      drain) start_sim "memory-$variant-$run-sim" --latency-ms 5 --latency-sigma 0.3 --top "$TOP"; workers=64; timeout=600 ;;
      held)  start_sim "memory-$variant-$run-sim" --latency-ms 150 --latency-sigma 0.3 --top "$TOP"; workers=20; timeout=$HOLD ;;
    esac
    GROUP="m-$variant-$run" start_member "memory-$variant-$run" m --max-workers "$workers" --exit-when-idle 2
    log "variant $variant run $run: member pid $MEMBER_PID"
    m=$(python3 "$BENCH_DIR/monitor.py" until --stats "$STATS" --target "$RECORDS" --launched "$LAUNCHED" --timeout "$timeout" \
        --pid member="$MEMBER_PID" --pid sim="$SIM_PID" --pid broker="$BROKER_PID" || true)
    if [ "$variant" = held ]; then stop "$MEMBER_PID"; fi
    for i in $(seq 1 600); do kill -0 "$MEMBER_PID" 2>/dev/null || break; sleep 0.1; done
    wait "$TIME_PID" 2>/dev/null || true
    stop "$SIM_PID"
    echo "{\"variant\":\"$variant\",\"run\":$run,\"records\":$RECORDS,\"workers\":$workers,\"maxrss_kb\":\"$(time_field "memory-$variant-$run" 'Maximum resident set size (kbytes)')\",\"summary\":$(python3 -c 'import json,sys;print(json.dumps(sys.stdin.readline().strip()))' <"$WORK/memory-$variant-$run.out"),\"m\":$m}" >>"$RESULTS"
    log "  -> VmHWM $(jget 'd["vmhwm_kb"]' <<<"$m") kB"
  done
done

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"\n### Memory (per run; backlog {rows[0]['records']} records)\n")
print("| variant | run | workers | API calls served | time s | peak RSS (VmHWM) MB | time -v max RSS MB | broker VmHWM MB | member summary | loadavg |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    m = r["m"]; h = m["vmhwm_kb"]
    print(f"| {r['variant']} | {r['run']} | {r['workers']} | {m['served']} | {m['launch_to_done_s']} | {h.get('member', 0)/1024:.1f} | {int(r['maxrss_kb'] or 0)/1024:.1f} "
          f"| {h.get('broker', 0)/1024:.0f} | {r['summary']} | {m['loadavg_start'][0]}→{m['loadavg_end'][0]} |")
print("\n### Memory (summary)\n")
print("| variant | peak RSS best (lowest) MB | peak RSS median MB | goal < 200 MB |")
print("|---|---|---|---|")
for v in sorted({r["variant"] for r in rows}):
    x = [max(r["m"]["vmhwm_kb"].get("member", 0), int(r["maxrss_kb"] or 0)) / 1024 for r in rows if r["variant"] == v]
    print(f"| {v} | {min(x):.1f} | {statistics.median(x):.1f} | {'met' if statistics.median(x) < 200 else 'MISSED'} |")
PY
