#!/usr/bin/env bash
# Where the member's CPU goes in the capacity scenario: `perf record` of the member
# (and, separately, the simulator) for PROFILE_SECONDS while it works a backlog against
# the instant simulator (~37 KB bodies, rate limit off). Not part of run-all.sh.
#
#   bench/profile.sh            # N=40000, WORKERS=64, PROFILE_SECONDS=10
source "$(dirname "$0")/lib.sh"
N=${N:-40000}; WORKERS=${WORKERS:-64}; TOP=${TOP:-14}; SECS=${PROFILE_SECONDS:-10}
command -v perf >/dev/null || { echo "perf not installed" >&2; exit 2; }
log "profile: work dir $WORK; $(machine_line)"
start_broker profile-broker 8 --topic pr-in:16 --topic pr-out:16 --topic pr-dlq:1
start_sim profile-sim --latency-ms 0 --top "$TOP"
produce "$(users "$N")" pr-in
export CARDGENIUS_API_RATE_LIMIT_ENABLED=false
start_member profile-member pr --max-workers "$WORKERS" --exit-when-idle 1
# wait for the first calls, then profile member and simulator together
until [ "$(curl -s "$STATS" | python3 -c 'import json,sys;print(json.load(sys.stdin)["requests"])')" -gt 1000 ]; do sleep 0.2; done
perf record -F 499 -g -o "$WORK/member.perf" -p "$MEMBER_PID" -- sleep "$SECS" 2>/dev/null &
p1=$!
perf record -F 499 -g -o "$WORK/sim.perf" -p "$SIM_PID" -- sleep "$SECS" 2>/dev/null &
p2=$!
perf record -F 499 -g -o "$WORK/broker.perf" -p "$BROKER_PID" -- sleep "$SECS" 2>/dev/null &
p3=$!
wait $p1 $p2 $p3 || true
for w in member sim broker; do
  echo; echo "### perf: $w — top symbols (self, % of samples)"; echo; echo '```'
  perf report -i "$WORK/$w.perf" --no-children -g none --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | grep '%' | head -${TOPN:-25} || true
  echo '```'
  echo; echo "### perf: $w — by DSO"; echo; echo '```'
  perf report -i "$WORK/$w.perf" --no-children -g none --sort dso --stdio 2>/dev/null | grep -v '^#' | grep "%" | head -12 || true
  echo '```'
done
wait "$TIME_PID" 2>/dev/null || true
cat "$WORK/profile-member.out"
