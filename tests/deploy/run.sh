#!/usr/bin/env bash
# Offline checks of zerotrace's deployment objects (no cluster, no helm binary needed): renders
# the Helm chart in deploy/helm/zerotrace with a small renderer of the Helm template subset it
# uses, then validates those renders and deploy/kubernetes/zerotrace.yaml against the Kubernetes
# schemas and zerotrace's own rules. Exit status: 0 when every check passes.
#
#   tests/deploy/run.sh            renders go to a temporary folder, removed afterwards
#   ZT_DEPLOY_OUT=DIR tests/deploy/run.sh   keep the renders in DIR
#   ZT_AGENT_BINARY=PATH   the zerotrace binary that must accept each configuration (default: the
#                          first of build/, build-image/ that exists; none: those checks are skipped)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
chart=$repo/deploy/helm/zerotrace

command -v node >/dev/null || { echo "deploy tests: node is missing: run scripts/install-deps.sh" >&2; exit 1; }

# npm ci when node_modules is missing or older than the lock file (versions pinned there).
if [[ ! -f $here/node_modules/.package-lock.json || $here/package-lock.json -nt $here/node_modules/.package-lock.json ]]; then
  echo "deploy tests: npm ci in tests/deploy"
  if [[ -z ${NODE_EXTRA_CA_CERTS:-} && -f /etc/ssl/certs/ca-certificates.crt ]]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

if [[ -n ${ZT_DEPLOY_OUT:-} ]]; then
  out=$ZT_DEPLOY_OUT
  mkdir -p "$out"
else
  out=$(mktemp -d /tmp/zt-deploy.XXXXXX)
  trap 'rm -rf "$out"' EXIT
fi

# name:values-file pairs; the default render uses only the chart's own values.yaml.
cases=(
  override:"$here/values-override.yaml"
  privileged:"$here/values-privileged.yaml"
)

render() { # OUT [VALUES]
  local target=$1; shift
  local extra=()
  [[ $# -gt 0 ]] && extra=(-f "$1")
  if ! node "$here/render_chart.js" "$chart" "${extra[@]}" --release zerotrace --namespace zerotrace \
      -o "$target" --notes "${target%.yaml}.NOTES.txt"; then
    echo "deploy tests: rendering the chart failed (${1:-default values})"
    exit 1
  fi
}

render "$out/chart-default.yaml"
pairs=()
for c in "${cases[@]}"; do
  name=${c%%:*} values=${c#*:}
  render "$out/chart-$name.yaml" "$values"
  pairs+=("$values=$out/chart-$name.yaml")
done
echo "deploy tests: chart rendered to $out (default + ${#cases[@]} value files)"

# A built agent, to check it accepts each configuration (the validator skips that without one).
if [[ -z ${ZT_AGENT_BINARY:-} ]]; then
  for candidate in "$repo"/build/zerotrace "$repo"/build/agent/zerotrace "$repo"/build-image/zerotrace "$repo"/build-image/agent/zerotrace; do
    if [[ -x $candidate ]]; then export ZT_AGENT_BINARY=$candidate; break; fi
  done
fi

node "$here/validate.js" "$repo/deploy/kubernetes/zerotrace.yaml" "$chart" "$out/chart-default.yaml" "${pairs[@]}"
