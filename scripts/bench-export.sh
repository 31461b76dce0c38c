#!/usr/bin/env bash
# Export throughput benchmark: spans/s per core for OTLP encoding (protobuf, JSON, gzip) and
# for whole exports over HTTP and gRPC to a receiver on loopback. Release build in
# build-release/. Prints figures, asserts nothing.
#
# Usage: scripts/bench-export.sh [extra Google Benchmark flags, e.g. --benchmark_filter=Encode]
#   ZT_SKIP_DEPS=1 / ZT_SKIP_BUILD=1
set -euo pipefail

cd "$(dirname "$0")/.."
if [[ ${ZT_SKIP_DEPS:-0} != 1 && $(id -u) -eq 0 ]]; then
  scripts/install-deps.sh
fi
if [[ ${ZT_SKIP_BUILD:-0} != 1 ]]; then
  echo "bench-export: building Release into build-release/"
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-release -j2 --target export_bench >/dev/null
fi
echo "bench-export: items_per_second = spans/s per core of the exporting thread;" \
     "batches of 512 spans over 8 resources"
exec build-release/tests/bench/export_bench --benchmark_counters_tabular=true "$@"
