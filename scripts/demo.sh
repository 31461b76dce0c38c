#!/usr/bin/env bash
# zerotrace demo: three unmodified services call each other over plain HTTP on localhost,
#   curl -> gateway (Python) -> orders (Node) -> inventory (Java)
# and zerotrace, started after them, prints their traces as a console waterfall.
#
# Usage: sudo scripts/demo.sh        (ZT_SKIP_DEPS=1 skips the package install)
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)

if [[ $(id -u) -ne 0 ]]; then
  echo "demo: zerotrace loads eBPF programs and needs root: sudo $0" >&2
  exit 1
fi

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

if [[ ${ZT_SKIP_DEPS:-0} != 1 ]]; then
  say "installing dependencies (skip with ZT_SKIP_DEPS=1)"
  scripts/install-deps.sh
fi

tmp=$(mktemp -d /tmp/zerotrace-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

say "building build/zerotrace"
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j2; } \
    >"$tmp/build.log" 2>&1; then
  tail -40 "$tmp/build.log"
  echo "demo: build failed" >&2
  exit 1
fi

service_pids=()
agent_pid=
cleanup() {
  set +e
  if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -INT "$agent_pid"
    wait "$agent_pid"
  fi
  for pid in "${service_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${service_pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # Ctrl-C: the EXIT trap still stops everything

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # wait_port NAME PORT PID
  for _ in $(seq 1 300); do
    if ! kill -0 "$3" 2>/dev/null; then
      echo "demo: $1 exited; its log:" >&2
      cat "$tmp/$1.log" >&2
      exit 1
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo: $1 did not listen on port $2 in 30 s" >&2
  exit 1
}

gateway_port=$(free_port)
orders_port=$(free_port)
inventory_port=$(free_port)

say "starting services (plain HTTP, no tracing code in them)"
OTEL_SERVICE_NAME=inventory java scripts/demo/Inventory.java "$inventory_port" \
  >"$tmp/inventory.log" 2>&1 &
inventory_pid=$!
service_pids+=("$inventory_pid")
OTEL_SERVICE_NAME=orders node scripts/demo/orders.js "$orders_port" "$inventory_port" \
  >"$tmp/orders.log" 2>&1 &
orders_pid=$!
service_pids+=("$orders_pid")
OTEL_SERVICE_NAME=gateway /usr/bin/python3 scripts/demo/gateway.py "$gateway_port" "$orders_port" \
  >"$tmp/gateway.log" 2>&1 &
gateway_pid=$!
service_pids+=("$gateway_pid")

wait_port inventory "$inventory_port" "$inventory_pid"
wait_port orders "$orders_port" "$orders_pid"
wait_port gateway "$gateway_port" "$gateway_pid"
printf '   gateway   python3  pid %-7s http://127.0.0.1:%s\n' "$gateway_pid" "$gateway_port"
printf '   orders    node     pid %-7s http://127.0.0.1:%s\n' "$orders_pid" "$orders_port"
printf '   inventory java     pid %-7s http://127.0.0.1:%s\n' "$inventory_pid" "$inventory_port"

say "starting zerotrace (console waterfall; only these three processes: --pid)"
# Default output is the console waterfall unless an OTLP endpoint is set: make sure it isn't.
env -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_EXPORTER_OTLP_TRACES_ENDPOINT \
  "$repo/build/zerotrace" --pid "$gateway_pid" --pid "$orders_pid" --pid "$inventory_pid" \
  2> >(tee "$tmp/agent.err" >&2) &
agent_pid=$!
for _ in $(seq 1 300); do
  grep -q 'zerotrace is tracing' "$tmp/agent.err" 2>/dev/null && break
  if ! kill -0 "$agent_pid" 2>/dev/null; then
    agent_pid=
    echo "demo: zerotrace exited before tracing (see above)" >&2
    exit 1
  fi
  sleep 0.1
done
grep -q 'zerotrace is tracing' "$tmp/agent.err" || { echo "demo: zerotrace did not start in 30 s" >&2; exit 1; }

say "sending requests"
for path in /orders/1 /orders/2 /orders/42 /orders/3 /orders/13; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gateway_port$path" || true)
  printf '   curl GET %-11s -> %s\n' "$path" "$code"
  sleep 0.2
done

sleep 2
say "stopping zerotrace (SIGINT flushes the last spans)"
kill -INT "$agent_pid"
wait "$agent_pid" || true
agent_pid=
