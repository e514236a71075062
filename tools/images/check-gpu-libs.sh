#!/usr/bin/env bash
# Checks, on a machine without a GPU, that the -gpu runtime image carries every CUDA library TensorFlow's GPU natives
# open, where TensorFlow finds them. On the image tarball (runtime/target/jib-image.tar after
# `./mvnw -Pimages,gpu verify -DskipTests`, or the one given), unpacked into a root filesystem:
#  1. which libraries: TensorFlow Java's GPU natives (from the image's natives jar) link no CUDA library (DT_NEEDED);
#     they reach each one through stubs that dlopen it by soname on first use. Their symbol tables say which: a
#     library whose API the natives define as size-less trampolines is opened at run time (cudart, cublas, cublasLt,
#     cufft, cusolver, cusparse, cudnn, cupti; cu* is the driver's); a library whose functions they define with
#     bodies is linked in (NCCL); one with no symbol at all is never used (curand).
#  2. each resolves, with all of its own dependencies (ldd, transitively: cuDNN's parts, nvJitLink, nvrtc, zlib...),
#     with the image's loader and LD_LIBRARY_PATH, in a chroot; only the driver's libraries may be missing. Control:
#     without LD_LIBRARY_PATH they must not resolve (so this check can fail).
#  3. TensorFlow itself loads them: GpuLibsProbe (java in the image) calls one version function of each through the
#     natives' own stubs, which load the library the way TensorFlow does on a GPU node; with TensorFlow's dso_loader
#     logging on. The driver (libcuda.so.1) must be the only library it cannot load.
#  4. the runtime itself starts in the image (its entrypoint, env, uid 185; TF_CPP_MIN_LOG_LEVEL=0 with dso_loader
#     logging), serves a test model on the CPU and explains; TensorFlow's log must name no library it could not load
#     but the driver.
# Needs root (chroot, /proc), like smoke-test.sh. Prints what it found; exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-runtime/target/jib-image.tar}
# what a node's driver installation brings (never in an image): the CUDA driver API, NVML and the driver's other
# components (libnvidia-*, OptiX), which CUPTI names for tracing them
DRIVER_LIBS='^(libcuda\.so(\.1)?|libnvidia-[a-z0-9_-]+\.so(\.1)?|libnvoptix\.so(\.1)?)$'
# names in a library's strings that are left out of the image on purpose: not opened on TensorFlow's paths
declare -A OPTIONAL=(
  [libnvperf_host.so]="CUPTI's PerfWorks library for hardware metrics; CUPTI is opened only by TensorFlow's profiler, which traces activities"
  [libnvvm.so]="NVVM, which nvJitLink needs only to link LTO intermediate code (from the nvcc wheel, left out)")
# the soname TensorFlow 2.18's dso_loader opens for each API prefix (name + ".so." + the version it was built with)
declare -A SONAME=([cuda]=libcudart.so.12 [cublas]=libcublas.so.12 [cublasLt]=libcublasLt.so.12
  [cufft]=libcufft.so.11 [cusolver]=libcusolver.so.11 [cusparse]=libcusparse.so.12 [cudnn]=libcudnn.so.9
  [cupti]=libcupti.so.12 [curand]=libcurand.so.10 [nccl]=libnccl.so.2 [nvrtc]=libnvrtc.so.12
  [nvJitLink]=libnvJitLink.so.12 [cu]=libcuda.so.1)
failed=0
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
ok() { echo "ok: $*"; }

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if mountpoint -q "$work/rootfs/proc"; then umount "$work/rootfs/proc" 2>/dev/null || umount -l "$work/rootfs/proc" || true; fi
  rm -rf --one-file-system "$work" || echo "check-gpu-libs: could not remove all of $work" >&2
}
trap cleanup EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs" "$work/unpack"
tar -xf "$image" -C "$work/unpack"
python3 - "$work/unpack" "$rootfs" <<'PY'
import json, os, subprocess, sys
unpack, rootfs = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(unpack, "manifest.json")))[0]
full = json.load(open(os.path.join(unpack, m["Config"])))
for layer, diff_id in zip(m["Layers"], full["rootfs"]["diff_ids"]):
    path = os.path.join(unpack, layer)
    # each layer must uncompress to the tar its config names (diff_id), as a container runtime checks on import
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    digest = subprocess.run(f"{'gzip -dc' if gz else 'cat'} '{path}' | sha256sum", shell=True, check=True,
                            capture_output=True, text=True).stdout.split()[0]
    if "sha256:" + digest != diff_id:
        sys.exit(f"layer {layer} does not match its diff_id {diff_id} (sha256:{digest})")
    subprocess.run(["tar", "-xf", path, "-C", rootfs, "--warning=no-unknown-keyword"], check=True)
print(f"ok: {len(m['Layers'])} layers match their diff_ids")
c = full["config"]
c["RepoTags"] = m.get("RepoTags", [])
with open(os.path.join(rootfs, ".image-config.json"), "w") as f:
    json.dump(c, f)
PY
rm -rf "$work/unpack"
cfg=$rootfs/.image-config.json
conf() { python3 -c "import json;c=json.load(open('$cfg'));$1"; }
echo "image: $image ($(du -h "$image" | cut -f1)), $(conf "print(' '.join(c['RepoTags']))")"
conf "print('\n'.join(f'  label {k}={v}' for k, v in sorted((c.get('Labels') or {}).items())))"
mapfile -t env < <(conf "print('\n'.join(c.get('Env',[])))")
ld_path=$(printf '%s\n' "${env[@]}" | sed -n 's/^LD_LIBRARY_PATH=//p')
echo "  LD_LIBRARY_PATH=${ld_path:-(unset)}"
in_image() { chroot "$rootfs" /usr/bin/env -i "$@"; }

# 1. the natives, and the libraries they open
jar=$(find "$rootfs/deployments" -name 'org.tensorflow.tensorflow-core-native-*-linux-x86_64-gpu.jar' | head -1)
if [ -z "$jar" ]; then fail "no linux-x86_64-gpu natives jar under /deployments (build with -Pimages,gpu)"; exit 1; fi
natives=$rootfs/tmp/tf-natives
mkdir -p "$natives"
python3 - "$jar" "$natives" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if "/linux-x86_64-gpu/" in n and ".so" in os.path.basename(n):
            with z.open(n) as src, open(os.path.join(sys.argv[2], os.path.basename(n)), "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
PY
echo "natives: ${jar#"$rootfs"}: $(cd "$natives" && echo *)"
cuda_needed=$(for f in "$natives"/*.so*; do readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; done \
  | grep -E '^lib(cu|nccl|nv)' | sort -u || true)
[ -z "$cuda_needed" ] && echo "  DT_NEEDED: no CUDA library" || echo "  DT_NEEDED CUDA libraries: $cuda_needed"
# function symbols the natives define: "<size> <name>"; trampolines have size 0
readelf -sW "$natives"/libtensorflow_framework.so.2 "$natives"/libtensorflow_cc.so.2 \
  | awk '$4 == "FUNC" && $7 != "UND" {print $3, $8}' | sed 's/@.*//' | sort -u > "$work/symbols"
prefix_of() { # API prefix of a function name
  case $1 in
    cublasLt*) echo cublasLt ;; cublas*) echo cublas ;; cudnn*) echo cudnn ;; cufft*) echo cufft ;;
    cusolver*) echo cusolver ;; cusparse*) echo cusparse ;; curand*) echo curand ;; cupti*) echo cupti ;;
    nccl*) echo nccl ;; nvrtc*) echo nvrtc ;; nvJitLink*) echo nvJitLink ;; cuda[A-Z]*) echo cuda ;; cu[A-Z]*) echo cu ;;
  esac
}
opened=(); linked=(); unused=(); opened_by=()
for p in "${!SONAME[@]}"; do
  stubs=0; bodies=0
  while read -r size name; do
    [ "$(prefix_of "$name")" = "$p" ] || continue
    if [ "$size" = 0 ]; then stubs=$((stubs + 1)); else bodies=$((bodies + 1)); fi
  done < <(grep -E " (${p})[A-Z_]" "$work/symbols" || true)
  if [ "$stubs" -gt 0 ]; then opened+=("${SONAME[$p]}"); elif [ "$bodies" -gt 0 ]; then linked+=("$p ($bodies functions)");
  else unused+=("${SONAME[$p]}"); fi
done
mapfile -t opened < <(printf '%s\n' "${opened[@]}" $cuda_needed | sort -u)
echo "  opened by the natives at run time (stubs): ${opened[*]}"
echo "  linked into the natives: ${linked[*]:-none}"
echo "  not used by the natives themselves: ${unused[*]:-none}"

# 2. each resolves in the image, with its dependencies
resolve() { # LD_LIBRARY_PATH, soname: the file the loader would open, as dlopen searches (LD_LIBRARY_PATH, ld.so.cache);
  # a name without its version (cuDNN asks for "libcudnn_adv.so" and appends it) matches the versioned file
  in_image "LD_LIBRARY_PATH=$1" /bin/sh -c 'n=$1; IFS=:
    for d in $LD_LIBRARY_PATH; do for f in "$d/$n" "$d/$n".*; do [ -e "$f" ] && { echo "$f"; exit 0; }; done; done
    /sbin/ldconfig -p | sed -n "s|^[[:space:]]*$n[.0-9]* (.*) => ||p" | head -1' sh "$2"
}
# the libraries those open in turn, by name (cuDNN its parts and nvrtc, nvrtc its builtins, ...): CUDA sonames in
# their strings, followed until no new one appears
queue=("${opened[@]}")
declare -A seen=()
for n in "${opened[@]}"; do seen[$n]=1; done
while [ ${#queue[@]} -gt 0 ]; do
  n=${queue[0]}; queue=("${queue[@]:1}")
  echo "$n" | grep -qE "$DRIVER_LIBS" && continue
  [ -n "${OPTIONAL[$n]:-}" ] && continue
  f=$(resolve "$ld_path" "$n"); [ -n "$f" ] || continue
  for m in $(grep -aoE 'lib(cu|nv)[A-Za-z0-9_-]*\.so(\.[0-9]+)*' "$rootfs$f" | sort -u); do
    base=$(basename "$(resolve "$ld_path" "$m")" 2>/dev/null); [ -n "$base" ] && [ "$base" != . ] || base=$m
    [ -n "${seen[$base]:-}" ] && continue
    seen[$base]=1; queue+=("$base"); opened_by+=("$base")
  done
done
mapfile -t opened_by < <(printf '%s\n' "${opened_by[@]}" | grep -vE "$DRIVER_LIBS" | grep . | sort -u)
echo "  opened by those, by name: ${opened_by[*]:-none}"
mapfile -t all < <(printf '%s\n' "${opened[@]}" "${opened_by[@]}" | grep . | sort -u)
echo "--- in the image (chroot, the image's LD_LIBRARY_PATH)"
missing=(); control=0
for n in "${all[@]}"; do
  if echo "$n" | grep -qE "$DRIVER_LIBS"; then echo "  $n: the driver's, from the node"; continue; fi
  if [ -n "${OPTIONAL[$n]:-}" ]; then echo "  $n: left out: ${OPTIONAL[$n]}"; continue; fi
  [ -z "$(resolve "" "$n")" ] && control=$((control + 1))
  f=$(resolve "$ld_path" "$n")
  if [ -z "$f" ]; then missing+=("$n"); echo "  $n: NOT FOUND"; continue; fi
  deps=$(in_image "LD_LIBRARY_PATH=$ld_path" /usr/bin/ldd "$f" 2>&1 || true)
  bad=$(echo "$deps" | grep -E 'not found' | awk '{print $1}' | grep -vE "$DRIVER_LIBS" | tr '\n' ' ' || true)
  [ -z "$bad" ] || missing+=("$n needs $bad")
  echo "  $n -> $f, $(echo "$deps" | grep -c '=>') dependencies resolved${bad:+; MISSING $bad}"
done
for f in "$natives"/*.so*; do
  bad=$(in_image "LD_LIBRARY_PATH=$ld_path" /usr/bin/ldd "${f#"$rootfs"}" 2>&1 | grep 'not found' | awk '{print $1}' | tr '\n' ' ' || true)
  [ -z "$bad" ] || missing+=("$(basename "$f") needs $bad")
done
if [ ${#missing[@]} -eq 0 ]; then ok "every CUDA library the natives open resolves in the image, with its dependencies"
else fail "missing in the image: ${missing[*]}"; fi
if [ "$control" -gt 0 ]; then ok "control: without LD_LIBRARY_PATH, $control of them do not resolve"
else echo "note: they resolve without LD_LIBRARY_PATH too (ld.so.cache)"; fi

# 3. TensorFlow loads them, through its own stubs (with /proc: the loader resolves java's $ORIGIN, where libjli is,
# through /proc/self/exe)
mkdir -p "$rootfs/proc" && mount -t proc proc "$rootfs/proc"
echo "--- GpuLibsProbe in the image (uid 185, the image's env, TF_CPP_VMODULE=dso_loader=1)"
cp tools/images/GpuLibsProbe.java "$rootfs/tmp/"
user=$(conf "print(c.get('User','0'))")
probe_env=()
for e in "${env[@]}"; do case $e in JAVA_TOOL_OPTIONS=*) ;; *) probe_env+=("$e") ;; esac; done
if chroot --userspec="$user:$user" "$rootfs" /usr/bin/env -i "${probe_env[@]}" TF_CPP_MIN_LOG_LEVEL=0 \
    TF_CPP_VMODULE=dso_loader=1 /bin/sh -c 'cd /tmp && exec java --add-modules jdk.incubator.foreign \
    --enable-native-access=ALL-UNNAMED GpuLibsProbe.java /tmp/tf-natives' > "$work/probe.log" 2>&1; then
  probe_rc=0; else probe_rc=$?; fi
{ grep -aE '^probe:|dso_loader' "$work/probe.log" || true; } | sed -E 's/; LD_LIBRARY_PATH: .*//' | cut -c1-220 | sed 's/^/  /'
if [ "$probe_rc" -eq 0 ]; then ok "TensorFlow's stubs load every library but the driver's"
else fail "GpuLibsProbe exited $probe_rc"; { grep -avE '^probe:|dso_loader' "$work/probe.log" || true; } | tail -15; fi

# 4. the runtime, on the CPU, with TensorFlow's full log
echo "--- the runtime in the image (TF_CPP_MIN_LOG_LEVEL=0, dso_loader at VLOG 1), serving a test model"
mkdir -p "$rootfs/models" && chmod 1777 "$rootfs/tmp"
cp -r runtime/src/test/resources/models/tabular_classifier "$rootfs/models/iris"
mapfile -t cmd < <(conf "print('\n'.join(c['Entrypoint']))")
port=18183
chroot --userspec="$user:$user" "$rootfs" /usr/bin/env -i "${env[@]}" TF_CPP_MIN_LOG_LEVEL=0 \
  TF_CPP_VMODULE=dso_loader=1 EXPLAIN_MODEL_DIR=/models/iris EXPLAIN_MODEL_NAME=iris QUARKUS_HTTP_PORT=$port QUARKUS_MANAGEMENT_PORT=$((port + 10)) \
  /bin/sh -c 'cd /deployments && exec "$@"' sh "${cmd[@]}" > "$work/runtime.log" 2>&1 &
pid=$!
ready=0
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$((port + 10))/q/health/ready" >/dev/null 2>&1 && { ready=1; break; }
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if [ "$ready" = 1 ] && curl -sf -X POST "http://127.0.0.1:$port/v1/projects/p/models/iris:explain" \
    -H 'Content-Type: application/json' -d '{"instances": [[0.3, -1.2, 2.0, 0.7, -0.4]]}' | grep -q attributions_by_label; then
  ok "the -gpu runtime becomes ready and explains without a GPU ($(curl -sf "http://127.0.0.1:$port/runtime/model" \
    | python3 -c 'import json,sys;d=json.load(sys.stdin);print("device", d["device"], [x["name"] for x in d["devices"]])'))"
else
  fail "the -gpu runtime did not become ready and explain"; tail -30 "$work/runtime.log"
fi
# TensorFlow's own lines (its C++ log prefixes) about CUDA and libraries, and the runtime's device line
tf=$(grep -aE '^[0-9-]+ [0-9:.]+: [IWEF] |^[IWEF][0-9]{4} ' "$work/runtime.log" \
  | grep -aiE 'cuda|cudnn|cublas|cufft|dynamic library|dlopen|gpu' | sed -E 's/; LD_LIBRARY_PATH: .*//' || true)
echo "${tf:-  (TensorFlow logged nothing about CUDA)}" | cut -c1-220 | sed 's/^/  /'
grep -a 'TensorFlow runs the model' "$work/runtime.log" | sed -E 's/^.*\(model-loader\) /  runtime: /' | cut -c1-220 || true
could_not=$(echo "$tf" | grep -aoE "Could not load dynamic library '[^']+'" | sed "s/.*'\(.*\)'/\1/" | sort -u || true)
not_driver=$(echo "$could_not" | grep -vE "$DRIVER_LIBS" | grep . || true)
if [ -n "$not_driver" ]; then fail "TensorFlow could not load $(echo "$not_driver" | tr '\n' ' ')"
elif echo "$tf" | grep -aqE 'Cannot dlopen some GPU libraries|Could not find cuda drivers'; then
  fail "TensorFlow says it cannot load its CUDA libraries"
else ok "TensorFlow names no library it could not load but the driver's (${could_not:-none})"; fi
echo "gpu image checks: $failed failed"
[ "$failed" -eq 0 ]
