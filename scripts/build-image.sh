#!/usr/bin/env bash
# Builds the zerotrace container image: compiles the agent in Release (build-image/), stages a
# root filesystem with only the binary, its shared libraries (ldd closure and dynamic loader) and
# the CA bundle, builds deploy/image/Containerfile on it with buildah (FROM scratch: nothing is
# pulled), saves the image as an OCI archive, prints its size and smoke-tests it.
#
#   sudo scripts/build-image.sh
#
#   ZT_IMAGE=name:tag       image name (default zerotrace:<project version>)
#   ZT_IMAGE_SMOKE=0        skip the smoke tests
#   ZT_IMAGE_SMOKE_BPF=0    skip only the one that loads the BPF programs inside a container
#
# Result: build-image/zerotrace-image.oci.tar; load it elsewhere with
#   podman load -i zerotrace-image.oci.tar   (or skopeo copy oci-archive:... docker://REGISTRY/...)
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
build=$repo/build-image
context=$build/image-context
rootfs=$context/rootfs
archive=$build/zerotrace-image.oci.tar
# Buildah and podman need a runtime; Debian's runc is the one we install and name explicitly.
runtime=/usr/sbin/runc

say() { printf 'build-image: %s\n' "$*"; }
die() { printf 'build-image: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (buildah stores images under /var/lib/containers): sudo $0"

version=$(sed -nE 's/^project\(zerotrace VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
[[ -n $version ]] || die "cannot read the project version from CMakeLists.txt"
image=${ZT_IMAGE:-zerotrace:$version}

# ---- tools: buildah builds, podman runs the smoke test, runc is their runtime.
missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v podman >/dev/null || missing+=(podman)
[[ -x $runtime ]] || missing+=(runc)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- the agent, in Release, without the tests (the image needs only the binary).
say "building zerotrace (Release) in build-image/"
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DZT_BUILD_TESTS=OFF >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; die "cmake configure failed"; }
rm -f "$build.configure.log"
cmake --build "$build" --target zerotrace -j"$jobs" >/dev/null ||
  die "build failed: cmake --build build-image --target zerotrace shows why"
binary=""
for candidate in "$build/agent/zerotrace" "$build/zerotrace"; do
  [[ -x $candidate ]] && { binary=$candidate; break; }
done
[[ -n $binary ]] || die "no zerotrace binary in build-image/ after the build"

# ---- the root filesystem: binary, ldd closure, loader, CA bundle.
say "staging the root filesystem in ${rootfs#"$repo"/}"
rm -rf "$context"
mkdir -p "$rootfs"
# Keep Debian's merged-/usr layout (/lib -> usr/lib ...), so the paths ldd prints (and the
# loader path baked into the binary) resolve inside the image exactly as on the build host.
for top in lib lib64; do
  if [[ -L /$top ]]; then
    target=$(readlink "/$top")
    mkdir -p "$rootfs/${target#/}"
    ln -s "$target" "$rootfs/$top"
  fi
done
install -D -m 0755 "$binary" "$rootfs/usr/local/bin/zerotrace"
# Symbols are not needed to run; the BPF objects live in .rodata and stay.
strip --strip-unneeded "$rootfs/usr/local/bin/zerotrace"

ldd_output=$(ldd "$binary") || die "ldd $binary failed"
if grep -q 'not found' <<<"$ldd_output"; then
  die "libraries missing on this host: $(grep 'not found' <<<"$ldd_output" | tr -s ' \t' ' ')"
fi
libraries=$(awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$ldd_output" | sort -u)
count=0
for lib in $libraries; do
  # -L: copy the file a versioned symlink points to, under the name the loader asks for.
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
  count=$((count + 1))
done
interpreter=$(readelf -l "$binary" | sed -nE 's/.*Requesting program interpreter: (.*)]/\1/p')
[[ -e $rootfs$interpreter ]] || die "the dynamic loader $interpreter did not make it into the image"

install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt" ||
  die "no /etc/ssl/certs/ca-certificates.crt: apt-get install ca-certificates"
# Collector host names: /etc/hosts first, then DNS (the runtime mounts hosts and resolv.conf).
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
say "staged zerotrace, $count shared libraries (loader $interpreter), the CA bundle"

# Does the staged tree run on its own? chroot has no /proc, which --help does not need.
chroot "$rootfs" /usr/local/bin/zerotrace --version >/dev/null ||
  die "the staged binary does not run in its root filesystem (a library missing from the closure?)"

# ---- the image and its archive.
say "building image $image"
previous=$(buildah images --quiet --no-trunc "$image" 2>/dev/null | head -n1 || true)
buildah bud --runtime "$runtime" --quiet \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  -f deploy/image/Containerfile -t "$image" "$context" >/dev/null
# The image this tag named before is now unnamed: remove it (if nothing else uses it).
current=$(buildah images --quiet --no-trunc "$image" | head -n1)
if [[ -n $previous && $previous != "$current" ]]; then
  buildah rmi "$previous" >/dev/null 2>&1 || true
fi
rm -f "$archive"
buildah push --quiet "$image" "oci-archive:$archive:$image" >/dev/null
image_size=$(buildah images --format '{{.Size}}' "$image" | head -n1)
archive_size=$(du -h "$archive" | cut -f1)
say "image $image: $image_size unpacked; archive ${archive#"$repo"/}: $archive_size"

# ---- smoke tests.
if [[ ${ZT_IMAGE_SMOKE:-1} == 0 ]]; then
  say "smoke tests skipped (ZT_IMAGE_SMOKE=0)"
  exit 0
fi
bounding=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
can_grant() { ! command -v capsh >/dev/null || capsh --decode="$bounding" | grep -qiw "cap_$1"; }
# Podman raises nofile/nproc in every container, which needs CAP_SYS_RESOURCE; where this host
# cannot grant it (some sandboxes), keep the limits within what we have.
limits=()
can_grant SYS_RESOURCE || limits=(--ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
podman_run=(podman run --runtime "$runtime" --rm --network none "${limits[@]}")

help=$("${podman_run[@]}" "localhost/$image" --help 2>&1) ||
  die "the image does not start: $help"
grep -q -- '--telemetry-address' <<<"$help" || die "the image's --help looks wrong: $help"
say "smoke: the image runs (zerotrace --help in a container)"

if [[ ${ZT_IMAGE_SMOKE_BPF:-1} == 0 ]]; then
  say "smoke: BPF run skipped (ZT_IMAGE_SMOKE_BPF=0)"
  exit 0
fi
if [[ ! -e /sys/kernel/btf/vmlinux ]]; then
  say "smoke: BPF run skipped: this kernel has no /sys/kernel/btf/vmlinux"
  exit 0
fi
# What the DaemonSet grants: the capability list (those this host can grant at all), no seccomp
# filter, host PID namespace, the host's tracefs/bpffs/BTF/cgroup; no privileged mode.
wanted=(BPF PERFMON SYS_PTRACE NET_ADMIN DAC_READ_SEARCH SYS_RESOURCE)
caps=()
for cap in "${wanted[@]}"; do
  if ! can_grant "$cap"; then
    say "smoke: leaving out $cap, outside this host's capability bounding set"
    continue
  fi
  caps+=("CAP_$cap")
done
tracefs=/sys/kernel/tracing
if [[ $(stat -f -c %T $tracefs 2>/dev/null) != tracefs ]]; then
  # In a pod, the node's tracefs is mounted in from the host: do here what a node has done.
  say "smoke: mounting tracefs at $tracefs on this host (the container cannot mount it itself)"
  mount -t tracefs tracefs $tracefs
fi
mounts=(-v "$tracefs:$tracefs:ro" -v /sys/fs/bpf:/sys/fs/bpf -v /sys/kernel/btf/vmlinux:/sys/kernel/btf/vmlinux:ro)
[[ -d /sys/kernel/debug ]] && mounts+=(-v /sys/kernel/debug:/sys/kernel/debug:ro)
mounts+=(-v /sys/fs/cgroup:/sys/fs/cgroup:ro)

name=zerotrace-smoke-$$
log=$(mktemp /tmp/zt-image-smoke.XXXXXX)
trap 'podman rm -f --time 0 "$name" >/dev/null 2>&1 || true; rm -f "$log"' EXIT
# Ready means probes attached (GET /readyz answers 200); the port is the pod's, kept inside.
podman run --runtime "$runtime" -d --name "$name" --network none --pid host "${limits[@]}" \
  --cap-drop ALL --cap-add "$(IFS=,; echo "${caps[*]}")" --security-opt seccomp=unconfined \
  --security-opt no-new-privileges --read-only "${mounts[@]}" \
  "localhost/$image" --output json --stats-interval 0 --telemetry-address 127.0.0.1:9400 >/dev/null ||
  die "smoke: the BPF container did not start"
ready=false
for _ in $(seq 1 30); do
  if ! podman container exists "$name" || [[ $(podman inspect -f '{{.State.Running}}' "$name") != true ]]; then
    break
  fi
  # No curl in the image: ask from the host, inside the container's network namespace.
  pid=$(podman inspect -f '{{.State.Pid}}' "$name")
  if nsenter -t "$pid" -n curl -fsS -o /dev/null http://127.0.0.1:9400/readyz 2>/dev/null; then
    ready=true
    break
  fi
  sleep 1
done
podman logs "$name" >"$log" 2>&1 || true
if ! $ready; then
  cat "$log" >&2
  die "smoke: the agent in the container never became ready (caps: ${caps[*]})"
fi
podman stop --time 20 "$name" >/dev/null
status=$(podman inspect -f '{{.State.ExitCode}}' "$name")
[[ $status == 0 ]] || { cat "$log" >&2; die "smoke: the agent exited with status $status on SIGTERM"; }
say "smoke: the agent attached its probes in a non-privileged container (caps: ${caps[*]}) and stopped cleanly"
