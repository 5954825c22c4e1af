#!/usr/bin/env bash
# `cardgenius plan` against a measured run: for each scenario, what plan predicts (calls/s,
# duration) and what `cardgenius run` (embedded broker, simulator with the given mean
# latency, one member) measures. Rates this low need little CPU, so the debug binary does:
#   BIN=.build/debug/cardgenius bench/plan-vs-run.sh
# Knobs: USERS (default 600). Prints a Markdown table.
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-600}

# name workers latency_ms rate burst
SCENARIOS=(
  "latency-bound 5 500 50 5"
  "rate-bound 20 500 12 5"
  "spec-shape 20 1500 10 5"
)

echo "| scenario | users | workers | mean latency | rate (burst) | plan calls/s | plan duration | steady calls/s (first → last result) | plan error (rate) | whole run (start-up, join, tail included) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for s in "${SCENARIOS[@]}"; do
  read -r name workers latency rate burst <<<"$s"
  users=$USERS
  # The spec-shaped scenario (1.5 s calls) runs a third of the users to keep it short.
  [ "$name" = spec-shape ] && users=$((USERS / 3))
  latency_s=$(awk -v l="$latency" 'BEGIN { printf "%.3f", l / 1000 }')
  plan=$("$BIN" plan --users "$users" --workers "$workers" --latency-s "$latency_s" --rate "$rate" --burst "$burst" \
         --members 1 --json)
  plan_cps=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["throughput"]["calls_per_second"])' <<<"$plan")
  plan_s=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["throughput"]["duration_seconds"])' <<<"$plan")
  log "$name: plan says $plan_cps calls/s, $plan_s s; running $users users"
  out=$("$BIN" run --users "$users" --latency-ms "$latency" --max-workers "$workers" --rate "$rate" --burst "$burst" \
        --output "$WORK/$name.jsonl" --metrics-port 0 --log-level error 2>/dev/null)
  # The summary's "time" covers the whole run (broker and simulator start, publishing, processing).
  time_s=$(awk '$1 == "time" { print $2 }' <<<"$out")
  rate_m=$(awk '$1 == "effective" && $2 == "rate" { print $3 }' <<<"$out")
  # Steady state: results per second between the first and the last result (processed_at).
  steady=$(python3 - "$WORK/$name.jsonl" <<'PY'
import json, sys
from datetime import datetime
times = sorted(datetime.fromisoformat(json.loads(l)["processed_at"].replace("Z", "+00:00")).timestamp()
               for l in open(sys.argv[1]) if l.strip())
print(f"{(len(times) - 1) / (times[-1] - times[0]):.2f}")
PY
)
  err=$(awk -v p="$plan_cps" -v m="$steady" 'BEGIN { printf "%+.1f%%", (m - p) / p * 100 }')
  printf "| %s | %d | %d | %d ms | %s (%s) | %.2f | %.0f s | %s | %s | %s s, %s calls/s |\n" \
    "$name" "$users" "$workers" "$latency" "$rate" "$burst" "$plan_cps" "$plan_s" "$steady" "$err" "$time_s" "$rate_m"
done
