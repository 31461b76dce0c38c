#!/usr/bin/env bash
# Kernel-side cost of tracing, one command: what each attach choice adds to a syscall on this
# kernel, measured without scheduling noise. One thread plays both ends of a loopback HTTP
# exchange (tests/bench/kernel/http_pingpong.cc: send, recv, send, recv per exchange, each
# exchange one CLIENT and one SERVER span), then reads /dev/zero and writes /dev/null (files:
# hooked, ignored) and calls getppid (not hooked), pinned to CPU 0 with the tracer on CPU 1. States alternate within
# each round; figures are medians over the rounds of ns added to the untraced run of the same
# round. Prints figures, asserts nothing; docs/performance.md says how to read them.
#
#   floor        bpftrace counting on enter+exit of the syscalls (issue 7's floor)
#   tp           bare programs on the per-syscall enter and exit tracepoints
#   exitonly     bare programs on the exit tracepoints only
#   tpbtf/rawtp  BTF-typed / raw tracepoints on every syscall, filtered by number
#   hashfirst    exit only, plus the per-(process, fd) hash lookup zerotrace filters with
#   arrayfirst   exit only, a per-process array bit first (the hash only behind it)
#   lru/hash/task  enter+exit keeping per-thread state from entry to exit in an LRU hash, a
#                plain hash, or task-local storage
#   zt-wake-each zerotrace waking its reader for every event (--ring-buffer-wakeup-kb 0)
#   zerotrace    zerotrace as shipped
# Then one more zerotrace run with kernel.bpf_stats_enabled for ns per program call.
#
# Usage: sudo scripts/bench-kernel.sh
#   ROUNDS=5 EXCHANGES=100000 READS=500000
#   ZT_BENCH_BUILD_DIR=DIR (default build-bench/)  ZT_SKIP_DEPS=1  ZT_SKIP_BUILD=1
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
rounds=${ROUNDS:-5}
exchanges=${EXCHANGES:-100000}
reads=${READS:-500000}
build_dir=${ZT_BENCH_BUILD_DIR:-$repo/build-bench}
results=$(mktemp -d /tmp/zerotrace-bench-kernel-XXXXXX)

die() { echo "bench-kernel: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "tracing needs root for eBPF: sudo $0"
for n in "$rounds" "$exchanges" "$reads"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "ROUNDS, EXCHANGES and READS must be positive integers (got '$n')"
done
(( $(nproc) >= 2 )) || die "needs 2 CPUs: the traced thread on one, the tracer on another"

if [[ ${ZT_SKIP_DEPS:-0} != 1 ]]; then
  scripts/install-deps.sh
fi
for tool in bpftrace bpftool taskset python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run without ZT_SKIP_DEPS=1"
done
if [[ ${ZT_SKIP_BUILD:-0} != 1 ]]; then
  echo "bench-kernel: building (Release) in $build_dir"
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DZT_BUILD_TESTS=OFF >/dev/null ||
    die "cmake configure failed (see above)"
  cmake --build "$build_dir" --target zerotrace http_pingpong attach_cost -j2 \
    >"$build_dir/bench-kernel-build.log" 2>&1 ||
    { tail -30 "$build_dir/bench-kernel-build.log" >&2; die "build failed: $build_dir/bench-kernel-build.log"; }
fi
pingpong=$build_dir/tests/bench/kernel/http_pingpong
attach_cost=$build_dir/tests/bench/kernel/attach_cost
attach_obj=$build_dir/bpf/attach_cost.bpf.o
for f in "$pingpong" "$attach_cost" "$attach_obj" "$build_dir/zerotrace"; do
  [[ -e $f ]] || die "missing $f: build it or unset ZT_SKIP_BUILD"
done

tracer_pid=
stop_tracer() {
  [[ -n $tracer_pid ]] || return 0
  kill -INT "$tracer_pid" 2>/dev/null || true
  wait "$tracer_pid" 2>/dev/null || true
  tracer_pid=
}
trap 'stop_tracer; sysctl -qw kernel.bpf_stats_enabled=0' EXIT

# start_tracer STATE: runs it on CPU 1 and waits until it says it is attached.
start_tracer() {
  local state=$1 ready log=$results/$1.log
  case $state in
    untraced) return 0 ;;
    floor) ready=counting
      taskset -c 1 bpftrace tests/bench/workloads/count_syscalls.bt >"$log" 2>&1 & ;;
    zt-wake-each|zerotrace) ready="zerotrace is tracing"
      local extra=()
      [[ $state == zt-wake-each ]] && extra=(--ring-buffer-wakeup-kb 0)
      taskset -c 1 "$build_dir/zerotrace" -o json --output-file /dev/null --telemetry-address off \
        "${extra[@]}" >"$log" 2>&1 & ;;
    *) ready=attached
      taskset -c 1 "$attach_cost" "$attach_obj" "$state" >"$log" 2>&1 & ;;
  esac
  tracer_pid=$!
  for _ in $(seq 1 300); do
    grep -q "$ready" "$log" 2>/dev/null && return 0
    kill -0 "$tracer_pid" 2>/dev/null || { cat "$log" >&2; die "$state did not start"; }
    sleep 0.1
  done
  die "$state did not attach within 30 s (log: $log)"
}

states=(untraced floor tp exitonly tpbtf rawtp hashfirst arrayfirst lru hash task zt-wake-each zerotrace)
echo "bench-kernel: ${#states[@]} states x $rounds rounds, $exchanges exchanges and $reads reads each; raw data in $results"
for round in $(seq 1 "$rounds"); do
  for state in "${states[@]}"; do
    start_tracer "$state"
    figures=$(taskset -c 0 "$pingpong" "$exchanges" "$reads" | tr '\n' ' ')
    stop_tracer
    echo "$round $state $figures" >>"$results/runs.txt"
  done
  echo "bench-kernel: round $round done"
done

# ns per call of zerotrace's programs (stats cost a little themselves: a separate run)
sysctl -qw kernel.bpf_stats_enabled=1
start_tracer zerotrace
bpftool prog show -j >"$results/progs-before.json"
taskset -c 0 "$pingpong" "$exchanges" "$reads" >/dev/null
bpftool prog show -j >"$results/progs-after.json"
stop_tracer
sysctl -qw kernel.bpf_stats_enabled=0

python3 - "$results" <<'PY'
import collections, json, statistics, sys
results = sys.argv[1]
runs = collections.defaultdict(dict)  # round -> state -> {metric: ns}
for line in open(f'{results}/runs.txt'):
    f = line.split()
    runs[f[0]][f[1]] = {k: float(v) for k, v in zip(f[2::2], f[3::2])}
metrics = ['exchange_ns', 'file_read_ns', 'file_write_ns', 'other_syscall_ns']
states = list(next(iter(runs.values())).keys())
print('\n| state | ns per exchange | added per exchange | added per file read | added per file write | added per other syscall |')
print('| --- | ---: | ---: | ---: | ---: | ---: |')
for state in states:
    med = lambda m: statistics.median(r[state][m] for r in runs.values())
    added = lambda m: statistics.median(r[state][m] - r['untraced'][m] for r in runs.values())
    cells = [f'{med("exchange_ns"):.0f}'] + [f'{added(m):+.0f}' for m in metrics]
    print(f'| {state} | ' + ' | '.join(cells) + ' |')
before = {p['id']: p for p in json.load(open(f'{results}/progs-before.json'))}
rows = []
for p in json.load(open(f'{results}/progs-after.json')):
    q = before.get(p['id'])
    if q is None or 'run_cnt' not in p:
        continue
    calls = p['run_cnt'] - q.get('run_cnt', 0)
    if calls >= 1000:
        rows.append((p.get('name'), calls, (p['run_time_ns'] - q.get('run_time_ns', 0)) / calls))
print('\n| zerotrace program | calls | ns per call |')
print('| --- | ---: | ---: |')
for name, calls, ns in sorted(rows, key=lambda r: -r[1] * r[2]):
    print(f'| {name} | {calls} | {ns:.0f} |')
PY
