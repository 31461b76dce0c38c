#!/usr/bin/env bash
# Userspace pipeline benchmark: spans/s per core of connection tracker → HTTP/1.x parser →
# span builder → OTLP protobuf encoding, replaying raw kernel events. Release build.
#
# As root with nginx and wrk installed, it first records a live run (zerotrace --record while
# wrk loads nginx for a few seconds) and replays that; it always also replays a synthesised
# recording (tests/bench/pipeline_replay_bench.cc), so there is a figure without root too.
# Prints figures, asserts nothing.
#
# Usage: scripts/bench-replay.sh [extra Google Benchmark flags]
#   ZT_BUILD_DIR=dir    build here (default build-release)
#   ZT_SKIP_BUILD=1     use what is built
#   ZT_WRK_SECONDS=N    length of the recorded wrk run (default 3)
#   ZT_KEEP_RECORDING=path  keep the live recording there
set -euo pipefail

cd "$(dirname "$0")/.."
build=${ZT_BUILD_DIR:-build-release}
wrk_seconds=${ZT_WRK_SECONDS:-3}
if [[ ${ZT_SKIP_BUILD:-0} != 1 ]]; then
  echo "bench-replay: building Release into $build/"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j2 --target pipeline_replay_bench zerotrace >/dev/null
fi
bench="$build/tests/bench/pipeline_replay_bench"
agent="$build/zerotrace"

work=$(mktemp -d /tmp/zt-bench-replay.XXXXXX)
chmod 755 "$work"
nginx_pid="" agent_pid=""
cleanup() {
  [[ -n $agent_pid ]] && kill -INT "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [[ -n $nginx_pid ]] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Records a live run into $work/wrk.rec; prints why not when it cannot.
record_live_run() {
  if [[ $(id -u) -ne 0 ]]; then echo "bench-replay: not root: no live recording"; return 1; fi
  for tool in nginx wrk; do
    if ! command -v "$tool" >/dev/null; then echo "bench-replay: no $tool: no live recording"; return 1; fi
  done
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/www" "$work/nginx"
  head -c 615 /dev/zero | tr '\0' 'x' >"$work/www/index.html"
  cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$port; root $work/www; }
}
EOF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  nginx_pid=$!
  "$agent" --record "$work/wrk.rec" --record-max-mb 512 --port "$port" --output json \
    --output-file /dev/null --telemetry-address off 2>"$work/agent.log" &
  agent_pid=$!
  for _ in $(seq 300); do
    grep -q "zerotrace is tracing" "$work/agent.log" && break
    kill -0 "$agent_pid" 2>/dev/null || { echo "bench-replay: agent failed:"; cat "$work/agent.log"; return 1; }
    sleep 0.1
  done
  echo "bench-replay: recording wrk -t1 -c16 -d${wrk_seconds}s against nginx on port $port"
  wrk -t1 -c16 -d"${wrk_seconds}s" "http://127.0.0.1:$port/index.html" | sed -n 's/^/  wrk: /p' | grep -E "Requests/sec|requests in"
  sleep 0.5
  kill -INT "$agent_pid"; wait "$agent_pid" || true; agent_pid=""
  kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""
  grep -E "recorded|events [0-9]" "$work/agent.log" | sed 's/^/  /'
  [[ -n ${ZT_KEEP_RECORDING:-} ]] && cp "$work/wrk.rec" "$ZT_KEEP_RECORDING"
  [[ -s $work/wrk.rec ]]
}

echo "bench-replay: items_per_second = spans/s per core (CPU time of the replaying thread)"
if record_live_run; then
  echo "bench-replay: == recorded live run (wrk against nginx) =="
  ZT_REPLAY_RECORDING="$work/wrk.rec" "$bench" --benchmark_counters_tabular=true "$@"
fi
echo "bench-replay: == synthesised recording (64 keep-alive connections x 200 requests, both ends traced) =="
"$bench" --benchmark_counters_tabular=true "$@"
