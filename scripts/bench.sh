#!/usr/bin/env bash
# Overhead benchmark, one command: builds zerotrace in Release, installs what it needs, runs
# three workloads in alternating rounds and prints Markdown tables (medians over the rounds,
# ratios to the untraced baseline of the same round) with a verdict per target of issue 7.
# Prints figures, asserts nothing; docs/performance.md says how to read them.
#
#   nginx  1 worker, 1 KiB static file over keep-alive (the worst case): untraced; bpftrace
#          programs that only count on the syscall tracepoints (the floor); zerotrace; untraced
#          and zerotrace with one connection (the latency one request pays); zerotrace at a
#          fixed rate below saturation (FIXED_RATE req/s), for lost events.
#   node   one Node HTTP server: untraced; zerotrace; the OpenTelemetry JS SDK; SDK + zerotrace.
#   work   a Node service doing ~1 ms of CPU work per request, one worker per CPU: untraced;
#          zerotrace.
# zerotrace runs as `sudo zerotrace` would (whole host) and, like the SDK, exports OTLP/HTTP
# to one local receiver that counts spans (tests/bench/workloads/otlp_sink.js).
#
# Usage: sudo scripts/bench.sh
#   ROUNDS=3 DURATION=10        rounds per state, seconds of load per round
#   ZT_BENCH_QUICK=1            3 rounds x 3 s, for trying things out
#   CONNECTIONS=32 THREADS=1    wrk settings (the issue's -t1 -c32)
#   FIXED_RATE=20000            req/s of the lost-events run
#   ZT_BENCH_WORKLOADS="nginx node work"   which workloads, in this order
#   ZT_BENCH_PIN=0              don't pin servers and load generator to separate CPUs
#   ZT_BENCH_AGENT_ARGS="..."   extra zerotrace flags
#   ZT_BENCH_RESULTS=DIR        keep raw results here (default /tmp/zerotrace-bench-<time>)
#   ZT_BENCH_BUILD_DIR=DIR      Release build directory (default build-bench/)
#   ZT_SKIP_DEPS=1 / ZT_SKIP_BUILD=1
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
workloads_dir=$repo/tests/bench/workloads

rounds=${ROUNDS:-3}
duration=${DURATION:-10}
[[ ${ZT_BENCH_QUICK:-0} == 1 ]] && duration=${DURATION:-3}
duration=${duration%s}  # "10s" as the old script took it
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
fixed_rate=${FIXED_RATE:-20000}
workloads=${ZT_BENCH_WORKLOADS:-nginx node work}
build_dir=${ZT_BENCH_BUILD_DIR:-$repo/build-bench}
agent=$build_dir/zerotrace
results=${ZT_BENCH_RESULTS:-/tmp/zerotrace-bench-$(date +%Y%m%d-%H%M%S)}
settle=1  # seconds after each load for queues to drain before counters are read

die() { echo "bench: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "zerotrace and bpftrace need root for eBPF: sudo $0"
for n in "$rounds" "$duration" "$connections" "$threads" "$fixed_rate"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "ROUNDS, DURATION, CONNECTIONS, THREADS and FIXED_RATE must be positive integers (got '$n')"
done
for w in $workloads; do
  [[ $w =~ ^(nginx|node|work)$ ]] || die "unknown workload '$w' in ZT_BENCH_WORKLOADS (nginx, node, work)"
done

# ---- dependencies and build

if [[ ${ZT_SKIP_DEPS:-0} != 1 ]]; then
  scripts/install-deps.sh
  # bpftrace is only needed here, for the counting floor.
  if ! command -v bpftrace >/dev/null 2>&1; then
    echo "bench: installing bpftrace"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bpftrace >/dev/null
  fi
fi
for tool in nginx wrk node bpftrace curl taskset python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run without ZT_SKIP_DEPS=1 (or apt-get install it)"
done
if [[ ${ZT_SKIP_BUILD:-0} != 1 ]]; then
  echo "bench: building zerotrace (Release) in $build_dir"
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DZT_BUILD_TESTS=OFF >/dev/null ||
    die "cmake configure failed (see above)"
  cmake --build "$build_dir" --target zerotrace -j2 >"$build_dir/bench-build.log" 2>&1 ||
    { tail -30 "$build_dir/bench-build.log" >&2; die "build failed; full log: $build_dir/bench-build.log"; }
fi
[[ -x $agent ]] || die "no agent at $agent: build it or unset ZT_SKIP_BUILD"

mkdir -p "$results" || die "cannot create $results"
[[ -z $(ls -A "$results") ]] || die "$results is not empty: choose a new ZT_BENCH_RESULTS"
tmp=$(mktemp -d /tmp/zerotrace-bench-run.XXXXXX)
chmod 755 "$tmp"

# ---- processes: every one we start is listed, and stopped on any exit (Ctrl-C too)

pids=()
stop_pid() {  # PID SIGNAL: signal, then wait up to 10 s, then KILL
  local pid=$1 sig=$2
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
forget_pid() {
  local keep=() p
  for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  pids=("${keep[@]+"${keep[@]}"}")
}
cleanup() {
  set +e
  # Newest first: load and tracers, then servers, then the receiver they export to.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}" INT; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo; echo "bench: interrupted; raw results so far in $results" >&2; exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_line() {  # FILE PATTERN PID WHAT: until FILE has PATTERN, or fail if PID died
  local file=$1 pattern=$2 pid=$3 what=$4
  for _ in $(seq 1 300); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { tail -20 "$file" >&2; die "$what exited before it was ready"; }
    sleep 0.1
  done
  tail -20 "$file" >&2
  die "$what was not ready after 30 s"
}

# CPU pinning: servers on the last CPU, wrk on the first; tracers, receiver and everything
# else go where the scheduler puts them.
ncpu=$(nproc)
server_pin=()
load_pin=()
if [[ ${ZT_BENCH_PIN:-1} == 1 && $ncpu -ge 2 ]]; then
  server_pin=(taskset -c "$((ncpu - 1))")
  load_pin=(taskset -c 0)
fi

# ---- the receiver every exporter uses

sink_port=
start_sink() {
  node "$workloads_dir/otlp_sink.js" 0 >"$tmp/sink.out" 2>&1 &
  pids+=($!)
  wait_for_line "$tmp/sink.out" 'sink listening on' $! "the OTLP sink"
  sink_port=$(awk '/sink listening on/ {print $4}' "$tmp/sink.out")
}

sink_stats() {
  curl -sf --max-time 5 "http://127.0.0.1:$sink_port/stats" || die "the OTLP sink does not answer"
}

# ---- tracers

agent_pid=
agent_port=
start_agent() {  # LOGFILE
  agent_port=$(free_port)
  # shellcheck disable=SC2086  # ZT_BENCH_AGENT_ARGS is a list of flags
  OTEL_BSP_SCHEDULE_DELAY=500 "$agent" --otlp-endpoint "http://127.0.0.1:$sink_port" \
    --telemetry-address "127.0.0.1:$agent_port" ${ZT_BENCH_AGENT_ARGS:-} >"$1" 2>&1 &
  agent_pid=$!
  pids+=("$agent_pid")
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$agent_port/readyz" && return 0
    kill -0 "$agent_pid" 2>/dev/null || { tail -20 "$1" >&2; die "zerotrace exited at start (log above)"; }
    sleep 0.1
  done
  tail -20 "$1" >&2
  die "zerotrace was not ready after 30 s"
}
agent_metrics() {
  curl -sf --max-time 5 "http://127.0.0.1:$agent_port/metrics" || die "zerotrace's /metrics does not answer"
}
stop_agent() {
  stop_pid "$agent_pid" INT
  forget_pid "$agent_pid"
  agent_pid=
}

bpftrace_pid=
start_bpftrace() {  # LOGFILE
  bpftrace "$workloads_dir/count_syscalls.bt" >"$1" 2>&1 &
  bpftrace_pid=$!
  pids+=("$bpftrace_pid")
  wait_for_line "$1" '^counting' "$bpftrace_pid" "bpftrace"
}
stop_bpftrace() {
  stop_pid "$bpftrace_pid" INT
  forget_pid "$bpftrace_pid"
  bpftrace_pid=
}

# ---- one measurement

others_busy=0  # measurements during which compilers of other people were running
measurements=0

# Runs wrk against URL for one round of one state, with the tracer already attached, and
# keeps what bench_report.py reads in results/WORKLOAD/STATE/round-N/.
measure() {  # WORKLOAD STATE ROUND URL [wrk options...] [-- script args...]
  local workload=$1 state=$2 round=$3 url=$4
  shift 4
  local options=() script_args=()
  while (($#)) && [[ $1 != -- ]]; do options+=("$1"); shift; done
  (($#)) && script_args=("$@")  # "--" and what follows, after the URL
  local dir=$results/$workload/$state/round-$round
  mkdir -p "$dir"
  # shellcheck disable=SC2009  # pgrep warns about alternations longer than a process name
  if ps -eo comm= | grep -qxE 'cc1plus|cc1|ld|collect2|clang(\+\+)?'; then others_busy=$((others_busy + 1)); fi
  measurements=$((measurements + 1))
  sink_stats >"$dir/sink.before.json"
  if [[ -n $agent_pid ]]; then
    agent_metrics >"$dir/agent.before.prom"
    cat "/proc/$agent_pid/stat" >"$dir/agent.before.stat"
  fi
  local pin=("${load_pin[@]+"${load_pin[@]}"}")
  [[ $workload == work ]] && pin=()  # the service uses every CPU; so does its load
  "${pin[@]+"${pin[@]}"}" wrk -t"$threads" -c"$connections" -d"${duration}s" \
    "${options[@]+"${options[@]}"}" "$url" "${script_args[@]+"${script_args[@]}"}" >"$dir/wrk.out" 2>&1 ||
    { cat "$dir/wrk.out" >&2; die "wrk failed against $url"; }
  grep -q '^wrk-result ' "$dir/wrk.out" || { cat "$dir/wrk.out" >&2; die "wrk gave no result against $url"; }
  sleep "$settle"
  sink_stats >"$dir/sink.after.json"
  if [[ -n $agent_pid ]]; then
    agent_metrics >"$dir/agent.after.prom"
    cat "/proc/$agent_pid/stat" >"$dir/agent.after.stat"
    cat "/proc/$agent_pid/status" >"$dir/agent.status"
  fi
  local rps
  rps=$(sed -n 's/^Requests\/sec: *//p' "$dir/wrk.out")
  printf '  %-6s round %d  %-22s %10.0f req/s\n' "$workload" "$round" "$state" "$rps"
}

# Runs one state's round: attaches what the state needs, measures, detaches.
run_state() {  # WORKLOAD STATE ROUND URL [wrk options...] [-- script args...]
  local workload=$1 state=$2 round=$3
  local dir=$results/$workload/$state/round-$round
  mkdir -p "$dir"
  case $state in
    *zerotrace*) start_agent "$dir/agent.log" ;;
    bpftrace) start_bpftrace "$dir/bpftrace.log" ;;
  esac
  measure "$@"
  [[ -n $agent_pid ]] && stop_agent
  [[ -n $bpftrace_pid ]] && stop_bpftrace
  return 0
}

# The states of a round, rotated by the round number so that no state always runs first.
rotated() {  # ROUND STATE...
  local r=$1
  shift
  local n=$# i
  local states=("$@")
  for ((i = 0; i < n; i++)); do echo "${states[(i + r - 1) % n]}"; done
}

warm_up() {  # URL: JIT, caches, connection setup paths
  "${load_pin[@]+"${load_pin[@]}"}" wrk -t"$threads" -c"$connections" -d2s "$1" >/dev/null 2>&1 || true
}

report_lua=$workloads_dir/wrk_report.lua
fixed_lua=$workloads_dir/fixed_rate.lua

# ---- workloads

bench_nginx() {
  local port www=$tmp/nginx
  port=$(free_port)
  mkdir -p "$www/www" "$www/tmp"
  head -c 1024 /dev/zero | tr '\0' 'z' >"$www/www/index.html"
  sed -e "s|@DIR@|$www|g" -e "s|@PORT@|$port|g" "$workloads_dir/nginx.conf.template" >"$www/nginx.conf"
  "${server_pin[@]+"${server_pin[@]}"}" nginx -p "$www" -c "$www/nginx.conf" -e "$www/error.log" &
  local nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/index.html" && break; sleep 0.1; done
  local url=http://127.0.0.1:$port/index.html
  echo "bench: nginx: 1 worker, 1 KiB file, wrk -t$threads -c$connections, ${duration} s x $rounds rounds; fixed-rate run at $fixed_rate req/s"
  warm_up "$url"
  local r state
  for r in $(seq 1 "$rounds"); do
    for state in $(rotated "$r" untraced bpftrace zerotrace untraced-1conn zerotrace-1conn zerotrace-fixed-rate); do
      case $state in
        *-fixed-rate) run_state nginx "$state" "$r" "$url" -s "$fixed_lua" -- "$fixed_rate" "$threads" ;;
        # One connection: nothing queues ahead of a request, so p50 is what one request pays.
        # (wrk takes the last -c given.)
        *-1conn) run_state nginx "$state" "$r" "$url" -t1 -c1 --latency -s "$report_lua" ;;
        *) run_state nginx "$state" "$r" "$url" --latency -s "$report_lua" ;;
      esac
    done
  done
  stop_pid "$nginx_pid" QUIT
  forget_pid "$nginx_pid"
}

node_port=
start_node() {  # OUTFILE WHAT COMMAND...: starts a server that prints "listening on PORT"
  local out=$1 what=$2
  shift 2
  "$@" >"$out" 2>&1 &
  pids+=($!)
  wait_for_line "$out" '^listening on' $! "$what"
  node_port=$(awk '/^listening on/ {print $3}' "$out")
}

bench_node() {
  local plain_port sdk_port
  start_node "$tmp/node-plain.out" "the Node server" \
    "${server_pin[@]+"${server_pin[@]}"}" node "$workloads_dir/hello_server.js" 0
  plain_port=$node_port
  start_node "$tmp/node-sdk.out" "the Node server with the SDK" \
    env ZT_SDK_OTLP_ENDPOINT="http://127.0.0.1:$sink_port/v1/traces" ZT_SDK_SERVICE_NAME=bench-hello \
    OTEL_BSP_SCHEDULE_DELAY=500 "${server_pin[@]+"${server_pin[@]}"}" \
    node --require "$repo/tests/sdk-peer/register.js" "$workloads_dir/hello_server.js" 0
  sdk_port=$node_port
  local plain=http://127.0.0.1:$plain_port/ sdk=http://127.0.0.1:$sdk_port/
  echo "bench: node: hello-world server, wrk -t$threads -c$connections, ${duration} s x $rounds rounds"
  warm_up "$plain"
  warm_up "$sdk"
  local r state
  for r in $(seq 1 "$rounds"); do
    for state in $(rotated "$r" untraced zerotrace sdk sdk+zerotrace); do
      local url=$plain
      [[ $state == sdk* ]] && url=$sdk
      run_state node "$state" "$r" "$url" --latency -s "$report_lua"
    done
  done
}

bench_work() {
  start_node "$tmp/work.out" "the 1 ms service" node "$workloads_dir/work_service.js" 0
  local url=http://127.0.0.1:$node_port/orders
  echo "bench: work: $(sed -n 's/^listening on [0-9]* //p' "$tmp/work.out"), wrk -t$threads -c$connections, ${duration} s x $rounds rounds"
  warm_up "$url"
  local r state
  for r in $(seq 1 "$rounds"); do
    for state in $(rotated "$r" untraced zerotrace); do
      run_state work "$state" "$r" "$url" --latency -s "$report_lua"
    done
  done
}

# ---- run

# States per workload, and how many of them start zerotrace (~6 s to attach and detach).
declare -A state_count=([nginx]=6 [node]=4 [work]=2) agent_states=([nginx]=3 [node]=2 [work]=1)
estimate=0
for w in $workloads; do
  estimate=$((estimate + rounds * (state_count[$w] * (duration + settle) + agent_states[$w] * 6) + 10))
done
echo "bench: $rounds rounds x $duration s per state; about $(((estimate + 59) / 60)) minutes; raw results in $results"
started=$(date -u +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_sink
for w in $workloads; do "bench_$w"; done
took=$(($(date -u +%s) - started))

cpu_model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
hypervisor=$(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor: *//p')
mem_gib=$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
# shellcheck disable=SC1091  # a system file
os=$(. /etc/os-release && echo "$PRETTY_NAME")
commit=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
load_note="Load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."
if ((others_busy > 0)); then
  load_note+=" Other people's compilers were running during $others_busy of $measurements measurements: figures are noisier than on an idle machine."
fi
BENCH_DATE=$(date -u +'%Y-%m-%d %H:%M UTC') \
BENCH_MACHINE="$cpu_model, $ncpu CPUs${hypervisor:+ ($hypervisor virtual machine)}, $mem_gib GiB RAM, Linux $(uname -r), $os" \
BENCH_SETTINGS="zerotrace $commit (Release), tracing the whole host, exporting OTLP/HTTP to a local counting receiver; wrk -t$threads -c$connections; $rounds rounds x $duration s per state; servers pinned to a CPU of their own: $([[ ${#server_pin[@]} -gt 0 ]] && echo yes || echo no); run took $took s." \
BENCH_LOAD_NOTE=$load_note BENCH_CLK_TCK=$(getconf CLK_TCK) BENCH_FIXED_RATE=$fixed_rate \
  python3 -c '
import json, os, sys
env = os.environ
json.dump({"date": env["BENCH_DATE"], "machine": env["BENCH_MACHINE"],
           "settings": env["BENCH_SETTINGS"], "load_note": env["BENCH_LOAD_NOTE"],
           "clk_tck": int(env["BENCH_CLK_TCK"]), "fixed_rate": int(env["BENCH_FIXED_RATE"])},
          open(sys.argv[1], "w"), indent=1)
' "$results/meta.json"

echo
python3 tests/bench/bench_report.py "$results"
echo "bench: raw results in $results"
