#!/usr/bin/env bash
# Overhead benchmark: nginx static file over keep-alive, driven by wrk, in alternating rounds
# without and with zerotrace (Release build in build-release/). Prints figures, asserts nothing.
#
# Usage: sudo scripts/bench.sh
#   ROUNDS=3 DURATION=10s CONNECTIONS=32 THREADS=1    wrk settings, rounds per side
#   ZT_BENCH_OUTPUT=/dev/null                          where the agent's JSON spans go
#   ZT_BENCH_AGENT_ARGS="..."                          extra agent flags
#   ZT_SKIP_DEPS=1 / ZT_SKIP_BUILD=1
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
spans_out=${ZT_BENCH_OUTPUT:-/dev/null}
agent=$repo/build-release/zerotrace

if [[ $(id -u) -ne 0 ]]; then
  echo "bench: zerotrace needs root for eBPF: sudo $0" >&2
  exit 1
fi
if [[ ${ZT_SKIP_DEPS:-0} != 1 ]]; then
  scripts/install-deps.sh
fi
if [[ ${ZT_SKIP_BUILD:-0} != 1 ]]; then
  echo "bench: building Release into build-release/"
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DZT_BUILD_TESTS=OFF >/dev/null
  cmake --build build-release -j2 --target zerotrace >/dev/null
fi

tmp=$(mktemp -d /tmp/zerotrace-bench.XXXXXX)
chmod 755 "$tmp"
nginx_pid=
agent_pid=
cleanup() {
  set +e
  [[ -n $agent_pid ]] && kill -INT "$agent_pid" 2>/dev/null && wait "$agent_pid"
  [[ -n $nginx_pid ]] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/www" "$tmp/tmp"
head -c 1024 /dev/zero | tr '\0' 'z' >"$tmp/www/index.html"
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
daemon off;
user root;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/tmp/body;
    proxy_temp_path $tmp/tmp/proxy;
    fastcgi_temp_path $tmp/tmp/fastcgi;
    uwsgi_temp_path $tmp/tmp/uwsgi;
    scgi_temp_path $tmp/tmp/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port;
        root $tmp/www;
    }
}
EOF
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" &
nginx_pid=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
url=http://127.0.0.1:$port/index.html

run_wrk() {  # prints requests/sec
  wrk -t"$threads" -c"$connections" -d"$1" "$url" >"$tmp/wrk.out" 2>&1
  awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.out"
}

cpu_ticks() {  # utime + stime of a pid, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

hz=$(getconf CLK_TCK)
secs=${duration%s}
echo "bench: nginx 1 worker, 1 KiB static file, wrk -t$threads -c$connections -d$duration, $rounds rounds each"
run_wrk 2s >/dev/null  # warm-up

base=()
with=()
cpu=()
rss=()
for r in $(seq 1 "$rounds"); do
  rps=$(run_wrk "$duration")
  base+=("$rps")
  printf '  round %d  without agent  %10.0f req/s\n' "$r" "$rps"

  # shellcheck disable=SC2086
  "$agent" --output json --output-file "$spans_out" ${ZT_BENCH_AGENT_ARGS:-} \
    >"$tmp/agent.out" 2>"$tmp/agent.err" &
  agent_pid=$!
  for _ in $(seq 1 300); do
    grep -q 'zerotrace is tracing' "$tmp/agent.err" && break
    kill -0 "$agent_pid" 2>/dev/null || { cat "$tmp/agent.err"; echo "bench: agent exited" >&2; exit 1; }
    sleep 0.1
  done
  grep -q 'zerotrace is tracing' "$tmp/agent.err" || { echo "bench: agent did not start" >&2; exit 1; }
  t0=$(cpu_ticks "$agent_pid")
  rps=$(run_wrk "$duration")
  t1=$(cpu_ticks "$agent_pid")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent_pid/status")
  kill -INT "$agent_pid"
  wait "$agent_pid" || echo "bench: agent exited with $?" >&2
  agent_pid=
  with+=("$rps")
  pct=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" 'BEGIN {printf "%.1f", 100 * d / hz / s}')
  cpu+=("$pct")
  rss+=("$hwm")
  printf '  round %d  with agent     %10.0f req/s   agent CPU %5s %% of a core   peak RSS %6.1f MiB\n' \
    "$r" "$rps" "$pct" "$(awk -v k="$hwm" 'BEGIN {print k / 1024}')"
  tail -3 "$tmp/agent.err" | sed 's/^/      agent: /'
done

mb=$(printf '%s\n' "${base[@]}" | median)
mw=$(printf '%s\n' "${with[@]}" | median)
mc=$(printf '%s\n' "${cpu[@]}" | median)
peak=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
echo
printf 'median without agent  %10.0f req/s\n' "$mb"
printf 'median with agent     %10.0f req/s\n' "$mw"
awk -v a="$mw" -v b="$mb" 'BEGIN {printf "ratio with/without    %10.3f   (throughput cost %.1f %%)\n", a / b, 100 * (1 - a / b)}'
printf 'agent CPU (median)    %10s %% of one core (user+sys)\n' "$mc"
awk -v k="$peak" 'BEGIN {printf "agent peak RSS        %10.1f MiB (VmHWM)\n", k / 1024}'
