#!/usr/bin/env bash
# Benchmark 1: budget efficiency. Calls/s a member achieves over a steady window
# (group join and warm-up discarded) against min(rate, max_workers / mean latency).
#
#   bench/budget.sh            # all scenarios, RUNS=2 each, 60 s window
#   SCENARIOS="B C" RUNS=3 WINDOW=60 bench/budget.sh
#
# Scenarios (simulator mean latency = latency-ms x scale, sigma 0.3, top 20):
#   A  spec at 1/100 latency: 1500 ms x 0.01 = 15 ms, 20 workers, no rate limit -> 1333/s (CPU-bound on 2 cores)
#   B  real-time budget:      1500 ms x 0.1 = 150 ms, 20 workers, no rate limit -> 133.3/s
#   C  rate-bound:            150 ms, 20 workers, rate 10/s burst 20           -> 10/s
#   D  the spec itself:       1500 ms x 1, 20 workers, no rate limit            -> 13.3/s
# Method: one fresh dev broker per scenario (input topic 32 partitions holding a backlog
# that outlasts the window); each run is a fresh consumer group on it. The monitor waits
# for the first API call, WARMUP more seconds, resets the simulator's /stats (t0),
# sleeps WINDOW, reads /stats (t1). Efficiency = (calls in window / window) / bound.
source "$(dirname "$0")/lib.sh"
SCENARIOS=${SCENARIOS:-A B C D}
RUNS=${RUNS:-2}
TOP=${TOP:-14}   # cards per simulator answer: 14 ≈ 37 KB (the load spec: 20–50 KB, ~35 KB)
WINDOW=${WINDOW:-60}
WARMUP=${WARMUP:-5}
RESULTS=$WORK/budget.jsonl; : >"$RESULTS"
log "budget: work dir $WORK; $(machine_line)"

for sc in $SCENARIOS; do
  case $sc in
    A) lat=1500 scale=0.01 workers=20 rate=off burst=20 ;;
    B) lat=1500 scale=0.1  workers=20 rate=off burst=20 ;;
    C) lat=1500 scale=0.1  workers=20 rate=10  burst=20 ;;
    D) lat=1500 scale=1    workers=20 rate=off burst=20 ;;
    *) echo "unknown scenario $sc" >&2; exit 2 ;;
  esac
  bound=$(python3 -c "
lat=$lat*$scale/1000; w=$workers; r='$rate'
b = w/lat if r=='off' else min(float(r), w/lat)
print(round(b,2))")
  backlog=$(python3 -c "import math; print(min(100000, math.ceil($bound*($WINDOW+$WARMUP+30))+500))")
  start_broker "budget-$sc-broker" 8 --topic "b$sc-in:32" --topic "b$sc-out:8" --topic "b$sc-dlq:1"
  produce "$(users "$backlog")" "b$sc-in"
  for run in $(seq 1 "$RUNS"); do
    start_sim "budget-$sc-$run-sim" --latency-ms "$lat" --latency-scale "$scale" --latency-sigma 0.3 --top "$TOP"
    if [ "$rate" = off ]; then
      export CARDGENIUS_API_RATE_LIMIT_ENABLED=false; rateargs=()
    else
      export CARDGENIUS_API_RATE_LIMIT_ENABLED=true; rateargs=(--rate "$rate" --burst "$burst")
    fi
    GROUP="b$sc-group-$run" start_member "budget-$sc-$run" "b$sc" --max-workers "$workers" "${rateargs[@]}"
    log "scenario $sc run $run: bound $bound calls/s, backlog $backlog, member pid $MEMBER_PID"
    m=$(python3 "$BENCH_DIR/monitor.py" window --stats "$STATS" --warmup "$WARMUP" --window "$WINDOW" \
        --pid member="$MEMBER_PID" --pid sim="$SIM_PID" --pid broker="$BROKER_PID")
    stop "$MEMBER_PID"; wait "$TIME_PID" 2>/dev/null || true
    stop "$SIM_PID"
    echo "{\"scenario\":\"$sc\",\"run\":$run,\"latency_ms\":$(python3 -c "print($lat*$scale)"),\"workers\":$workers,\"rate\":\"$rate\",\"burst\":$burst,\"bound\":$bound,\"backlog\":$backlog,\"member_summary\":$(python3 -c 'import json,sys;print(json.dumps(sys.stdin.readline().strip()))' <"$WORK/budget-$sc-$run.out"),\"m\":$m}" >>"$RESULTS"
    log "  -> $(jget 'd["calls_per_s"]' <<<"$m") calls/s"
  done
  stop "$BROKER_PID"
done

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
names = {"A": "A spec 1/100 (15 ms, 20 workers, no rate limit)", "B": "B real-time (150 ms, 20 workers, no rate limit)",
         "C": "C rate-bound (150 ms, 20 workers, rate 10/s burst 20)", "D": "D spec real-time (1.5 s, 20 workers, no rate limit)"}
print("\n### Budget efficiency (per run)\n")
print("| scenario | run | bound calls/s | achieved calls/s | efficiency | peak concurrency (window / warm-up) | peak rps (window / warm-up) | non-200 | backlog left at t1 | member CPU s in window | loadavg |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    m = r["m"]
    if "error" in m:
        print(f"| {r['scenario']} | {r['run']} | {r['bound']} | error: {m['error']} |"); continue
    non200 = sum(v for k, v in m["by_status"].items() if k != "200")
    eff = m["calls_per_s"] / r["bound"]
    print(f"| {r['scenario']} | {r['run']} | {r['bound']} | {m['calls_per_s']} | {eff:.1%} | {m['peak_concurrency']} / {m['warmup_peak_concurrency']} "
          f"| {m['peak_rps']} / {m['warmup_peak_rps']} | {non200} | {r['backlog'] - m['calls_total']} | {m['cpu_s']['member']} | {m['loadavg_start'][0]}→{m['loadavg_end'][0]} |")
print("\n### Budget efficiency (summary: best and median of runs)\n")
print("| scenario | bound calls/s | achieved best | achieved median | efficiency best | efficiency median | peak concurrency (max) | peak rps (max, window) | goal ≥ 97 % |")
print("|---|---|---|---|---|---|---|---|---|")
for sc in sorted({r["scenario"] for r in rows}):
    rs = [r for r in rows if r["scenario"] == sc and "error" not in r["m"]]
    if not rs: continue
    v = [r["m"]["calls_per_s"] for r in rs]; b = rs[0]["bound"]
    best, med = max(v), statistics.median(v)
    print(f"| {names.get(sc, sc)} | {b} | {best} | {med:.2f} | {best/b:.1%} | {med/b:.1%} | {max(r['m']['peak_concurrency'] for r in rs)} "
          f"| {max(r['m']['peak_rps'] for r in rs)} | {'met' if med/b >= 0.97 else 'MISSED'} |")
PY
