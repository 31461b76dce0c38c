#!/usr/bin/env bash
# Installs every Debian 12 package zerotrace needs to build, test, demo and bench, plus the
# OTLP test receiver's npm packages. Idempotent: packages already present are not reinstalled,
# and apt is only asked when something is missing. Needs root.
set -euo pipefail

cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: needs root to run apt-get: sudo $0" >&2
  exit 1
fi

packages=(
  # build: BPF toolchain and libraries
  clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config cmake g++ make
  libspdlog-dev libcli11-dev libyaml-cpp-dev protobuf-compiler libprotobuf-dev
  libcurl4-openssl-dev libssl-dev libgrpc++-dev protobuf-compiler-grpc
  # health and metrics endpoints (cpp-httplib), Kubernetes metadata (JSON)
  libcpp-httplib-dev nlohmann-json3-dev
  # Go binaries: DWARF struct layouts (libdw), return instructions (capstone)
  libdw-dev libcapstone-dev
  # unit tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # end-to-end tests, demo and bench: real servers and clients
  nginx wrk apache2-utils curl iproute2 python3 default-jdk-headless golang-go bpftrace
  # Redis: a real server, redis-cli and the Python client (redis-py)
  redis-server redis-tools python3-redis
  # capsh (least-privilege runs), ps/pgrep, certificates for npm
  libcap2-bin procps ca-certificates openssl
)
# Node: a nodejs from another source (e.g. NodeSource) already carries npm and conflicts with
# Debian's npm package, so only ask for what is missing as a command.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) != installed ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all ${#packages[@]} Debian packages present"
fi

# npm packages of the test peers, versions pinned by each package-lock.json: the independent
# OTLP receiver, and the OpenTelemetry JS SDK for mixed-world tests and benchmarks.
npm_install() {  # DIR FILE_THAT_PROVES_IT_IS_INSTALLED
  local dir=$1 marker=$1/node_modules/$2
  if [[ -e $marker && $dir/node_modules/.package-lock.json -nt $dir/package-lock.json ]]; then
    echo "install-deps: npm packages of $dir present"
    return
  fi
  echo "install-deps: npm ci in $dir"
  # Node ships its own CA list; let it also trust the system's (proxies with a local CA).
  if [[ -z ${NODE_EXTRA_CA_CERTS:-} && -f /etc/ssl/certs/ca-certificates.crt ]]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
npm_install tests/otlp-receiver @opentelemetry/otlp-transformer/build/src/generated/root.js
npm_install tests/sdk-peer @opentelemetry/sdk-node/package.json
npm_install tests/deploy kubernetes-models/package.json
