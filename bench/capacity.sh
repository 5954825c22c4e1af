#!/usr/bin/env bash
# Benchmark 2: raw capacity of one member, and the Python baseline on the same
# broker, simulator and records.
#
#   bench/capacity.sh                  # N=30000 records, RUNS=2 (interleaved Swift, Python)
#   N=30000 RUNS=3 WORKERS=64 TOP=14 bench/capacity.sh
#
# The API is an instant stand-in (STANDIN=nginx, the default: nginx answering every call
# with one simulator answer of ~38 KB, picked below, so that the stand-in costs little CPU on
# the shared 2 cores) or the simulator itself (STANDIN=sim: --latency-ms 0, ~37 KB bodies,
# --top $TOP, checked with curl below); rate limit disabled; member --max-workers $WORKERS; the Python
# baseline (/work/shared/bench/seed_baseline.py, run in place) --workers 20.
# Each run has its own input/output topics and group on the one broker; the simulator's
# /stats are reset before each run. bench/monitor.py polls /stats every 20 ms and
# /proc/PID/stat of member, simulator and broker: records/s from launch to N served
# (includes the group join: the same method as the baseline's own figure), records/s
# from first call, steady records/s between 10 % and 90 % of N, and CPU us/record.
source "$(dirname "$0")/lib.sh"
N=${N:-30000}
RUNS=${RUNS:-2}
WORKERS=${WORKERS:-64}
PY_WORKERS=${PY_WORKERS:-20}
PYTHON=${PYTHON:-1}   # PYTHON=0: Swift member only
BEFORE_BIN=${BEFORE_BIN:-}   # another cardgenius binary (e.g. an older commit's) run in the same rounds, as "swift-before"
TOP=${TOP:-14}
STANDIN=${STANDIN:-nginx}
VENV=${VENV:-$ROOT/.venv-bench}
BASELINE=${BASELINE:-/work/shared/bench/seed_baseline.py}
RESULTS=$WORK/capacity.jsonl; : >"$RESULTS"
log "capacity: work dir $WORK; $(machine_line)"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q confluent-kafka requests
fi
log "confluent-kafka $("$VENV/bin/python" -c 'import confluent_kafka as c; print(c.version(), "librdkafka", c.libversion()[0])')"

topics=()
for run in $(seq 1 "$RUNS"); do
  for who in s p b; do topics+=(--topic "c$who$run-in:16" --topic "c$who$run-out:16" --topic "c$who$run-dlq:1"); done
done
start_broker capacity-broker 8 "${topics[@]}"
start_sim capacity-sim --latency-ms 0 --top "$TOP"
USERS=$(users "$N")
body=0; for i in $(seq 1 50); do
  b=$(sed -n "${i}p" "$USERS" | curl -s -X POST -H 'Content-Type: application/json' --data-binary @- "$API" | wc -c); body=$((body + b))
done; body=$((body / 50))
log "simulator answer body: mean $body bytes over 50 users (--top $TOP)"
if [ "$STANDIN" = nginx ]; then
  # The answer nearest the mean size (over the same 50 users) is the stand-in's one answer.
  best=1; bestd=999999999
  for i in $(seq 1 50); do
    sed -n "${i}p" "$USERS" | curl -s -X POST -H 'Content-Type: application/json' --data-binary @- "$API" >"$WORK/answer-$i.json"
    d=$(( $(wc -c <"$WORK/answer-$i.json") - body )); d=${d#-}
    if [ "$d" -lt "$bestd" ]; then best=$i; bestd=$d; fi
  done
  stop "$SIM_PID"
  start_standin capacity-standin "$WORK/answer-$best.json"
  SIM_PID=$STANDIN_PID; body=$(wc -c <"$WORK/answer-$best.json")
  log "stand-in: nginx at $API answering every call with $body bytes (user $best's answer)"
fi
for run in $(seq 1 "$RUNS"); do
  produce "$USERS" "cs$run-in"
  if [ "$PYTHON" = 1 ]; then produce "$USERS" "cp$run-in"; fi
  if [ -n "$BEFORE_BIN" ]; then produce "$USERS" "cb$run-in"; fi
done

# swift_run WHO PREFIX RUN: one member of binary $BIN over PREFIX-in, recorded as WHO.
swift_run() {
  local who=$1 prefix=$2 run=$3
  curl -s -X POST "$STATS/reset" >/dev/null
  start_member "capacity-$who-$run" "$prefix" --max-workers "$WORKERS" --exit-when-idle 1
  m=$(python3 "$BENCH_DIR/monitor.py" until --stats "$STATS" --target "$N" --launched "$LAUNCHED" \
      --pid member="$MEMBER_PID" --pid sim="$SIM_PID" --pid broker="$BROKER_PID" || true)
  wait "$TIME_PID" 2>/dev/null || true
  echo "{\"who\":\"$who\",\"run\":$run,\"n\":$N,\"workers\":$WORKERS,\"body\":$body,\"summary\":$(python3 -c 'import json,sys;print(json.dumps(sys.stdin.readline().strip()))' <"$WORK/capacity-$who-$run.out"),\"maxrss_kb\":\"$(time_field "capacity-$who-$run" 'Maximum resident set size (kbytes)')\",\"user_s\":\"$(time_field "capacity-$who-$run" 'User time (seconds)')\",\"sys_s\":\"$(time_field "capacity-$who-$run" 'System time (seconds)')\",\"m\":$m}" >>"$RESULTS"
  log "$who run $run: $(jget 'd["records_per_s_from_launch"], d["steady_records_per_s"], d["cpu_us_per_record_run"]' <<<"$m")"
}

export CARDGENIUS_API_RATE_LIMIT_ENABLED=false
for run in $(seq 1 "$RUNS"); do
  swift_run swift "cs$run" "$run"
  if [ -n "$BEFORE_BIN" ]; then
    AFTER_BIN=$BIN; BIN=$BEFORE_BIN; swift_run swift-before "cb$run" "$run"; BIN=$AFTER_BIN
  fi

  [ "$PYTHON" = 1 ] || continue
  # Python baseline
  curl -s -X POST "$STATS/reset" >/dev/null
  LAUNCHED=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/capacity-python-$run.time" "$VENV/bin/python" "$BASELINE" "$BOOTSTRAP" "cp$run-in" "cp$run-out" \
    "cp$run-group" "$API" "$N" --workers "$PY_WORKERS" >"$WORK/capacity-python-$run.out" 2>"$WORK/capacity-python-$run.log" &
  TIME_PID=$!; STARTED+=("$TIME_PID")
  PY_PID=; for i in $(seq 1 200); do PY_PID=$(pgrep -P "$TIME_PID" || true); [ -n "$PY_PID" ] && break; sleep 0.01; done
  m=$(python3 "$BENCH_DIR/monitor.py" until --stats "$STATS" --target "$N" --launched "$LAUNCHED" \
      --pid member="$PY_PID" --pid sim="$SIM_PID" --pid broker="$BROKER_PID" || true)
  wait "$TIME_PID" 2>/dev/null || true
  own=$(tail -1 "$WORK/capacity-python-$run.out"); [ -n "$own" ] || own=null
  echo "{\"who\":\"python\",\"run\":$run,\"n\":$N,\"workers\":$PY_WORKERS,\"body\":$body,\"own\":$own,\"maxrss_kb\":\"$(time_field "capacity-python-$run" 'Maximum resident set size (kbytes)')\",\"user_s\":\"$(time_field "capacity-python-$run" 'User time (seconds)')\",\"sys_s\":\"$(time_field "capacity-python-$run" 'System time (seconds)')\",\"m\":$m}" >>"$RESULTS"
  log "python run $run: own $own; $(jget 'd["records_per_s_from_launch"], d["steady_records_per_s"], d["cpu_us_per_record_run"]' <<<"$m")"
done

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"\n### Raw capacity (per run; N = {rows[0]['n']} records, answer body {rows[0]['body']} bytes)\n")
print("| impl | run | workers | rec/s launch→N (incl. join) | rec/s first call→N | steady rec/s (10–90 %) | own figure | member CPU µs/rec (run) | member CPU µs/rec (steady) | API µs/rec | broker µs/rec | member max RSS MB | loadavg |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    m = r["m"]
    own = r.get("own")
    ownf = f"{own['records_per_s']} ({own['seconds']} s)" if own else (r.get("summary") or "")
    u = m["cpu_us_per_record_run"]; us = m["cpu_us_per_record_steady"]
    print(f"| {r['who']} | {r['run']} | {r['workers']} | {m['records_per_s_from_launch']} | {m['records_per_s_from_first_call']} | {m['steady_records_per_s']} "
          f"| {ownf} | {u['member']} | {us['member']} | {u['sim']} | {u['broker']} | {int(r['maxrss_kb'] or 0)/1024:.0f} | {m['loadavg_start'][0]}→{m['loadavg_end'][0]} |")
def agg(who, f):
    v = [f(r) for r in rows if r["who"] == who and r["m"].get("complete")]
    return (max(v), round(statistics.median(v), 1)) if v else (None, None)
def aggmin(who, f):
    v = [f(r) for r in rows if r["who"] == who and r["m"].get("complete")]
    return (min(v), round(statistics.median(v), 1)) if v else (None, None)
print("\n### Raw capacity (summary: best / median)\n")
before = any(r["who"] == "swift-before" for r in rows)
print("| figure | Swift best | Swift median | Python best | Python median | Swift ÷ Python (median) |" + (" Swift before median | before ÷ Python (median) |" if before else ""))
print("|---|---|---|---|---|---|" + ("---|---|" if before else ""))
for label, f, lo in [("records/s, launch → N (incl. group join)", lambda r: r["m"]["records_per_s_from_launch"], False),
                     ("records/s, first API call → N", lambda r: r["m"]["records_per_s_from_first_call"], False),
                     ("records/s, steady (10 %→90 % of N)", lambda r: r["m"]["steady_records_per_s"], False),
                     ("member CPU µs/record (whole run)", lambda r: r["m"]["cpu_us_per_record_run"]["member"], True),
                     ("member CPU µs/record (steady)", lambda r: r["m"]["cpu_us_per_record_steady"]["member"], True),
                     ("API (stand-in or simulator) CPU µs/record", lambda r: r["m"]["cpu_us_per_record_run"]["sim"], True),
                     ("broker CPU µs/record", lambda r: r["m"]["cpu_us_per_record_run"]["broker"], True)]:
    s = (aggmin if lo else agg)("swift", f); p = (aggmin if lo else agg)("python", f)
    if p[0] is None: p = ("–", None)
    ratio = f"{s[1]/p[1]:.2f}×" if s[1] and p[1] else "n/a"
    extra = ""
    if before:
        b = (aggmin if lo else agg)("swift-before", f)
        extra = f" {b[1]} | " + (f"{b[1]/p[1]:.2f}×" if b[1] and p[1] else "n/a") + " |"
    print(f"| {label} | {s[0]} | {s[1]} | {p[0]} | {p[1] if p[1] is not None else '–'} | {ratio} |{extra}")
# The machine's noise moves every process of a round together: the ratio within a round is the figure to trust.
def per_round(who):
    out = []
    for run in sorted({r["run"] for r in rows}):
        s = [r for r in rows if r["run"] == run and r["who"] == who and r["m"].get("complete")]
        p = [r for r in rows if r["run"] == run and r["who"] == "python" and r["m"].get("complete")]
        if s and p:
            out.append(round(s[0]["m"]["cpu_us_per_record_run"]["member"] / p[0]["m"]["cpu_us_per_record_run"]["member"], 3))
    return out
for who in ["swift", "swift-before"]:
    r = per_round(who)
    if r:
        print(f"\nmember CPU per record ÷ Python's, round by round ({who}): {r}; median {statistics.median(r):.3f}")
py_own = [r["own"]["records_per_s"] for r in rows if r["who"] == "python" and r.get("own")]
if py_own: print(f"\nPython's own printed figure (records/s): {py_own}")
print("\nGoal: Swift ≥ 4,000 records/s.")
PY
