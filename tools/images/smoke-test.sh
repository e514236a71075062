#!/usr/bin/env bash
# Runs the runtime image tarball the way a container runtime would, without one: its layers unpacked into a root
# filesystem, its Entrypoint, Env, WorkingDir and User from the image config, in a chroot with /proc mounted
# (needs root), serving a bundled test model; then calls /q/health/ready and :explain. Also checks the operator
# image starts far enough to answer its liveness probe.
set -euo pipefail
cd "$(dirname "$0")/../.."
passed=0; failed=0
run_image() { # tar, rootfs, port, extra env...
  local tar=$1 rootfs=$2; shift 2
  local unpack; unpack=$(mktemp -d)
  tar -xf "$tar" -C "$unpack"
  python3 - "$unpack" "$rootfs" <<'PY'
import json, os, subprocess, sys
unpack, rootfs = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(unpack, "manifest.json")))[0]
for layer in m["Layers"]:
    subprocess.run(["tar", "-xf", os.path.join(unpack, layer), "-C", rootfs, "--warning=no-unknown-keyword"], check=True)
c = json.load(open(os.path.join(unpack, m["Config"])))["config"]
with open(os.path.join(rootfs, ".image-config.json"), "w") as f:
    json.dump(c, f)
PY
  rm -rf "$unpack"
}
start_in_chroot() { # rootfs, log, env assignments...
  local rootfs=$1 log=$2; shift 2
  mkdir -p "$rootfs/proc" "$rootfs/tmp" && chmod 1777 "$rootfs/tmp"
  mount -t proc proc "$rootfs/proc"
  local cfg=$rootfs/.image-config.json
  local user; user=$(python3 -c "import json;print(json.load(open('$cfg')).get('User','0'))")
  local wd; wd=$(python3 -c "import json;print(json.load(open('$cfg')).get('WorkingDir','/'))")
  mapfile -t env < <(python3 -c "import json;print('\n'.join(json.load(open('$cfg')).get('Env',[])))")
  mapfile -t cmd < <(python3 -c "import json;print('\n'.join(json.load(open('$cfg'))['Entrypoint']))")
  chroot --userspec="$user:$user" "$rootfs" /usr/bin/env -i "${env[@]}" "$@" /bin/sh -c "cd $wd && exec \"\$@\"" sh "${cmd[@]}" \
    > "$log" 2>&1 &
  echo $!
}
check() { # name, command...
  local name=$1; shift
  if "$@"; then echo "ok: $name"; passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}
wait_http() { # url, seconds
  for _ in $(seq 1 "$2"); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 1; done; return 1
}

work=$(mktemp -d)
pids=()
cleanup() {
  # SIGTERM, then wait: the runtime drains connections for its shutdown delay (5 s) before it exits
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    if kill -0 "$p" 2>/dev/null; then
      echo "smoke-test: pid $p still running 30 s after SIGTERM; killed" >&2
      kill -9 "$p" 2>/dev/null || true
    fi
  done
  for d in "$work"/*/proc; do
    mountpoint -q "$d" && { umount "$d" 2>/dev/null || umount -l "$d" || true; }
  done
  # never recurse into a file system still mounted under the work folder
  rm -rf --one-file-system "$work" || echo "smoke-test: could not remove all of $work" >&2
}
trap cleanup EXIT

# runtime
mkdir -p "$work/runtime"
run_image runtime/target/jib-image.tar "$work/runtime"
mkdir -p "$work/runtime/models" && cp -r runtime/src/test/resources/models/tabular_classifier "$work/runtime/models/iris"
pids+=("$(start_in_chroot "$work/runtime" "$work/runtime.log" EXPLAIN_MODEL_DIR=/models/iris EXPLAIN_MODEL_NAME=iris \
  QUARKUS_HTTP_PORT=18181 QUARKUS_MANAGEMENT_PORT=18191)")
check "runtime image serves /q/health/ready on its management port" wait_http http://127.0.0.1:18191/q/health/ready 120
check "runtime image answers :explain" sh -c "curl -sf -X POST http://127.0.0.1:18181/v1/projects/p/models/iris:explain -H 'Content-Type: application/json' \
  -d '{\"instances\": [[0.3, -1.2, 2.0, 0.7, -0.4]]}' | grep -q attributions_by_label"
check "runtime image runs as uid 185" sh -c "ps -o uid= -p ${pids[0]} | grep -q 185 || pgrep -u 185 -f quarkus-run.jar >/dev/null"

# the model fetcher (the operator's init container): the runtime image's class path and main class, as uid 185,
# fetching gs://models/iris from fake-gcs-server (built by the storage tests' script) into /tmp
fetch_from_image() {
  local servers gcs port data log
  servers=$(tools/storage/build-object-stores.sh) || return 1
  gcs=$(echo "$servers" | head -1)
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  data=$work/gcs-data; mkdir -p "$data/models"
  cp -r runtime/src/test/resources/models/tabular_classifier "$data/models/iris"
  "$gcs" -scheme http -host 127.0.0.1 -port "$port" -backend memory -data "$data" -log-level error >/dev/null 2>&1 &
  local gcs_pid=$!
  for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$port/storage/v1/b" >/dev/null && break; sleep 0.2; done
  local cfg=$work/runtime/.image-config.json
  mapfile -t env < <(python3 -c "import json;print('\n'.join(json.load(open('$cfg')).get('Env',[])))")
  local cmd="java -cp '/deployments/app/*:/deployments/lib/main/*:/deployments/lib/boot/*' dev.explainable.serving.runtime.service.ModelFetchMain"
  cmd="$cmd gs://models/iris /tmp/fetched/model"
  log=$work/fetch.log
  chroot --userspec=185:185 "$work/runtime" /usr/bin/env -i "${env[@]}" EXPLAIN_STORAGE_ANONYMOUS=true \
    EXPLAIN_STORAGE_GCS_ENDPOINT="http://127.0.0.1:$port" /bin/sh -c "cd /deployments && exec $cmd" > "$log" 2>&1
  local rc=$?
  kill "$gcs_pid" 2>/dev/null || true
  [ "$rc" -eq 0 ] && [ -s "$work/runtime/tmp/fetched/model/saved_model.pb" ] \
    && [ -s "$work/runtime/tmp/fetched/model/variables/variables.index" ] || { tail -20 "$log"; return 1; }
}
check "runtime image fetches a gs:// model as the init container does" fetch_from_image

# operator: with no API server to reach here it must boot the app and register its controller (the operator
# itself is exercised against a real API server by the operator tests)
mkdir -p "$work/operator"
run_image operator/target/jib-image.tar "$work/operator"
pids+=("$(start_in_chroot "$work/operator" "$work/operator.log" QUARKUS_HTTP_PORT=18182 \
  QUARKUS_KUBERNETES_CLIENT_MASTER_URL=https://127.0.0.1:1 QUARKUS_KUBERNETES_CLIENT_REQUEST_TIMEOUT=2S)")
registered() {
  for _ in $(seq 1 60); do grep -q "Registered reconciler: 'explainablemodel'" "$work/operator.log" && return 0; sleep 1; done
  return 1
}
check "operator image boots and registers its controller" registered

if [ "$failed" -gt 0 ]; then
  echo "--- runtime log"; tail -20 "$work/runtime.log" || true
  echo "--- operator log"; grep -v -P "^\s+at |^\s+\.\.\." "$work/operator.log" | head -15 || true
fi
echo "images: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
