# Shared helpers for the benchmark scripts (source it; bash).
# Every process a script starts is recorded in STARTED and stopped by PID on exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BIN=${BIN:-$ROOT/.build/release/cardgenius}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/cardgenius-bench.XXXXXX)}
mkdir -p "$WORK"
STARTED=()

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

bench_cleanup() {
  local p
  for p in "${STARTED[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${STARTED[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
}
trap bench_cleanup EXIT

[ -x "$BIN" ] || { echo "no release binary at $BIN: swift build -c release --product cardgenius" >&2; exit 2; }

# stop PID: SIGTERM and wait for it (only processes this script started).
stop() {
  kill -TERM "$1" 2>/dev/null || true
  local i; for i in $(seq 1 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  wait "$1" 2>/dev/null || true
}

# start_broker NAME PARTITIONS [--topic T:P ...]  -> BROKER_PID, BOOTSTRAP
start_broker() {
  local name=$1 parts=$2; shift 2
  local f=$WORK/$name.bootstrap; rm -f "$f"
  "$BIN" dev-broker --brokers 1 --partitions "$parts" --bootstrap-file "$f" --log-level warning "$@" \
    >"$WORK/$name.log" 2>&1 &
  BROKER_PID=$!; STARTED+=("$BROKER_PID")
  local i; for i in $(seq 1 200); do [ -s "$f" ] && break; sleep 0.05; done
  [ -s "$f" ] || { echo "broker did not start: $(cat "$WORK/$name.log")" >&2; exit 1; }
  BOOTSTRAP=$(head -1 "$f")
}

# start_sim NAME [simulate-api options]  -> SIM_PID, SIM_URL, STATS, API
start_sim() {
  local name=$1; shift
  "$BIN" simulate-api --port 0 --log-level warning "$@" >"$WORK/$name.log" 2>&1 &
  SIM_PID=$!; STARTED+=("$SIM_PID")
  local i; for i in $(seq 1 200); do grep -q '^listening on' "$WORK/$name.log" && break; sleep 0.05; done
  SIM_URL=$(sed -n 's/^listening on //p' "$WORK/$name.log" | head -1)
  [ -n "$SIM_URL" ] || { echo "simulator did not start: $(cat "$WORK/$name.log")" >&2; exit 1; }
  STATS=$SIM_URL/stats; API=$SIM_URL/cg/api/pro
}

# produce FILE TOPIC: publishes a JSONL file to TOPIC on $BOOTSTRAP.
produce() {
  "$BIN" produce --brokers "$BOOTSTRAP" --input "$1" --topic "$2" --rejects "$WORK/rejects.jsonl" \
    --log-level warning >"$WORK/produce-$2.log" 2>&1 || { cat "$WORK/produce-$2.log" >&2; exit 1; }
  tail -1 "$WORK/produce-$2.log" >&2
}

# users N -> path of a cached JSONL file with N synthetic users
users() {
  local f=$WORK/users-$1.jsonl
  [ -s "$f" ] || python3 "$BENCH_DIR/gen_users.py" "$1" "$f"
  echo "$f"
}

# start_member NAME TOPIC_PREFIX [consume options]  (under /usr/bin/time -v)
#   -> MEMBER_PID (the cardgenius process itself), TIME_PID, LAUNCHED (epoch seconds)
#   topics: PREFIX-in, PREFIX-out, PREFIX-dlq; group $GROUP or PREFIX-group.
start_member() {
  local name=$1 prefix=$2; shift 2
  LAUNCHED=$(date +%s.%N)
  CARDGENIUS_KAFKA_INPUT_TOPIC=$prefix-in CARDGENIUS_KAFKA_OUTPUT_TOPIC=$prefix-out \
  CARDGENIUS_KAFKA_DLQ_TOPIC=$prefix-dlq \
  /usr/bin/time -v -o "$WORK/$name.time" "$BIN" consume --brokers "$BOOTSTRAP" --api-url "$API" \
    --group "${GROUP:-$prefix-group}" --log-level "${MEMBER_LOG_LEVEL:-warning}" "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  TIME_PID=$!; STARTED+=("$TIME_PID")
  MEMBER_PID=
  local i; for i in $(seq 1 200); do MEMBER_PID=$(pgrep -P "$TIME_PID" || true); [ -n "$MEMBER_PID" ] && break; sleep 0.01; done
  [ -n "$MEMBER_PID" ] || { echo "member did not start" >&2; exit 1; }
  STARTED+=("$MEMBER_PID")   # /usr/bin/time does not forward SIGTERM: stop the member itself on exit
}

# time_field NAME "Maximum resident set size (kbytes)"
time_field() { grep -F "$2: " "$WORK/$1.time" | sed 's/.*: //'; }

# json FIELD-EXPRESSION <<< JSON  (python expression over d)
jget() { python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print($1)"; }

machine_line() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB; commit $(git -C "$ROOT" rev-parse --short HEAD); $(date -u +%Y-%m-%dT%H:%MZ); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
}
