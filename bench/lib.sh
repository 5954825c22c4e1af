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

# start_standin NAME BODY_FILE -> STANDIN_PID, API, STATS
#   nginx answering every POST /cg/api/pro at once with BODY_FILE (the "instant API" of the
#   capacity benchmark: it costs far less CPU than the simulator, which renders each answer).
#   STATS is nginx's stub_status; monitor.py counts requests from it.
start_standin() {
  local name=$1 body=$2 dir=$WORK/$1
  local nginx; nginx=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx" ] || { echo "nginx not installed (apt-get install nginx-light, or make bench)" >&2; exit 2; }
  mkdir -p "$dir"; cp "$body" "$dir/answer.json"
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$dir/nginx.conf" <<NGINX
master_process off;
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_buffer_size 64k;
  server {
    listen 127.0.0.1:$port;
    # nginx's static module refuses POST with 405: answer it with the file, status 200.
    location = /cg/api/pro { default_type application/json; alias $dir/answer.json; error_page 405 =200 \$uri; }
    location = /nginx_status { stub_status; }
  }
}
NGINX
  "$nginx" -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" >"$WORK/$name.log" 2>&1 &
  STANDIN_PID=$!; STARTED+=("$STANDIN_PID")
  local i; for i in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/nginx_status" >/dev/null && break; sleep 0.05; done
  API=http://127.0.0.1:$port/cg/api/pro; STATS=http://127.0.0.1:$port/nginx_status
  [ "$(curl -s -X POST --data '{}' "$API" | wc -c)" = "$(wc -c <"$body")" ] || { echo "stand-in did not start: $(cat "$WORK/$name.log")" >&2; exit 1; }
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
