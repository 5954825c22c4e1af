#!/usr/bin/env bash
# Where the member's CPU goes in the capacity scenario: `perf record` of the member (and of
# the API stand-in and the broker) for PROFILE_SECONDS while it works a backlog against an
# instant API (STANDIN=nginx: nginx answering every call with one ~38 KB simulator answer, as
# in capacity.sh; STANDIN=sim: the simulator, --latency-ms 0 --top $TOP), rate limit off.
# Prints the top symbols, the per-stage breakdown (bench/stages.py) and the member's CPU per
# record over the profiled window. Not part of run-all.sh.
#
#   bench/profile.sh            # N=80000, WORKERS=64, PROFILE_SECONDS=10, STANDIN=nginx
#   STANDIN=sim LATENCY_MS=15 WORKERS=20 N=40000 bench/profile.sh   # scenario A's shape
source "$(dirname "$0")/lib.sh"
N=${N:-80000}; WORKERS=${WORKERS:-64}; LATENCY_MS=${LATENCY_MS:-0}; TOP=${TOP:-14}; SECS=${PROFILE_SECONDS:-10}; STANDIN=${STANDIN:-nginx}
command -v perf >/dev/null || { echo "perf not installed (linux-perf)" >&2; exit 2; }
log "profile: work dir $WORK; $(machine_line)"
start_broker profile-broker 8 --topic pr-in:16 --topic pr-out:16 --topic pr-dlq:1
start_sim profile-sim --latency-ms "$LATENCY_MS" --latency-sigma 0.3 --top "$TOP"
USERS=$(users "$N")
if [ "$STANDIN" = nginx ]; then
  sed -n 1p "$USERS" | curl -s -X POST -H 'Content-Type: application/json' --data-binary @- "$API" >"$WORK/answer.json"
  stop "$SIM_PID"
  start_standin profile-standin "$WORK/answer.json"; SIM_PID=$STANDIN_PID
  log "stand-in: nginx answering $(wc -c <"$WORK/answer.json") bytes"
fi
produce "$USERS" pr-in
export CARDGENIUS_API_RATE_LIMIT_ENABLED=false
start_member profile-member pr --max-workers "$WORKERS" --exit-when-idle 1
# wait for the first calls, then profile member, API and broker together
calls() {  # requests the API has served so far (nginx: stub_status, whose own requests count too)
  if [ "$STANDIN" = nginx ]; then curl -s "$STATS" | awk 'NR==3{print $3}'
  else curl -s "$STATS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; fi
}
until [ "$(calls)" -gt 2000 ]; do sleep 0.2; done
cpu0=$(awk '{print $14+$15}' /proc/"$MEMBER_PID"/stat); n0=$(calls)
perf record -F 499 -g -o "$WORK/member.perf" -p "$MEMBER_PID" -- sleep "$SECS" 2>/dev/null &
p1=$!
perf record -F 499 -g -o "$WORK/api.perf" -p "$SIM_PID" -- sleep "$SECS" 2>/dev/null &
p2=$!
perf record -F 499 -g -o "$WORK/broker.perf" -p "$BROKER_PID" -- sleep "$SECS" 2>/dev/null &
p3=$!
# the member's thread switches and system calls over the same window (tracepoints, not sampled)
EVENTS=context-switches,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvmsg,syscalls:sys_enter_poll
perf stat -x, -e "$EVENTS" -o "$WORK/member.stat" -p "$MEMBER_PID" -- sleep "$SECS" 2>/dev/null &
p4=$!
wait $p1 $p2 $p3 $p4 || true
cpu1=$(awk '{print $14+$15}' /proc/"$MEMBER_PID"/stat); n1=$(calls)
US=$(python3 -c "print(round(($cpu1 - $cpu0) / $(getconf CLK_TCK) * 1e6 / max(1, $n1 - $n0), 1))")
echo; echo "member CPU over the profiled window: $US µs/record ($((n1 - n0)) records in ${SECS} s)"
echo; echo "### member: thread switches and system calls per record (perf stat over the same window)"; echo
echo "| event | count | per record |"; echo "|---|---|---|"
grep -v '^#' "$WORK/member.stat" | awk -F, -v n=$((n1 - n0)) 'NF > 2 && $1 ~ /^[0-9]+$/ { printf "| %s | %d | %.2f |\n", $3, $1, $1 / (n > 0 ? n : 1) }'
echo; echo "### perf: member — by stage (self time; bench/stages.py)"; echo
perf report -i "$WORK/member.perf" --no-children -g none --sort dso,symbol --stdio 2>/dev/null | "$BENCH_DIR/stages.py" --us-per-record "$US"
for w in member api broker; do
  echo; echo "### perf: $w — top symbols (self, % of samples)"; echo; echo '```'
  perf report -i "$WORK/$w.perf" --no-children -g none --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | grep '%' | head -${TOPN:-25} || true
  echo '```'
  echo; echo "### perf: $w — by DSO"; echo; echo '```'
  perf report -i "$WORK/$w.perf" --no-children -g none --sort dso --stdio 2>/dev/null | grep -v '^#' | grep "%" | head -12 || true
  echo '```'
done
wait "$TIME_PID" 2>/dev/null || true
cat "$WORK/profile-member.out"
