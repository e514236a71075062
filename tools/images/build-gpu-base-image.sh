#!/usr/bin/env bash
# Builds the base image of the -gpu runtime image: the JRE base image (build-base-image.sh) plus one layer with the
# CUDA 12 and cuDNN 9 user-space libraries TensorFlow 2.18 was built against (fetch-cuda-libs.sh: NVIDIA's wheels
# at the versions tensorflow[and-cuda] 2.18.0 pins) in /usr/local/cuda-12/lib, found through LD_LIBRARY_PATH and
# /etc/ld.so.conf.d/cuda-12.conf. The node brings the driver (libcuda.so.1, injected by NVIDIA's container toolkit,
# or mounted under /usr/local/nvidia/lib64 on GKE, which LD_LIBRARY_PATH also names).
# Written as a `docker save`-style tarball that Jib reads with `tar://` (the gpu profile's images.base); cached,
# rebuilt when the JRE base or the libraries change; prints the tarball's path. Needs root only where the JRE base
# image is not built yet (debootstrap). Not run by CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/images
OUT=$CACHE/base-jre17-cuda12.tar
LIB=/usr/local/cuda-12/lib
log() { echo "[gpu-base-image] $*" >&2; }
base=$("$here/build-base-image.sh")
libs=$("$here/fetch-cuda-libs.sh")
key=$( (tar -xOf "$base" config.json; cat "$libs/SHA256SUMS"; sed -n '/^# layer:/,$p' "$0") | sha256sum | cut -d' ' -f1)
if [ -s "$OUT" ] && [ "$(cat "$OUT.key" 2>/dev/null)" = "$key" ]; then echo "$OUT"; exit 0; fi
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/gpu-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xf "$base" -C "$work"
# layer: the libraries (hard links where the cache and the work folder share a file system), the ld.so.conf entry
mkdir -p "$work/cuda$LIB" "$work/cuda/etc/ld.so.conf.d"
cp -l "$libs"/* "$work/cuda$LIB/" 2>/dev/null || cp "$libs"/* "$work/cuda$LIB/"
echo "$LIB" > "$work/cuda/etc/ld.so.conf.d/cuda-12.conf"
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime='2025-01-01 00:00:00' -C "$work/cuda" \
  -cf "$work/cuda-layer.tar" ./usr ./etc
rm -rf "$work/cuda"
diff_id=$(sha256sum "$work/cuda-layer.tar" | cut -d' ' -f1)
# uncompressed, as the JRE layer: Jib compresses a tar:// base's layers itself (a gzipped one it would gzip again)
python3 - "$work" "$diff_id" "$LIB" "$libs/VERSIONS" <<'PY'
import json, os, sys
work, diff_id, lib, versions = sys.argv[1:]
pinned = dict(line.strip().split("==") for line in open(versions) if line.strip())
config = json.load(open(os.path.join(work, "config.json")))
env = [e for e in config["config"]["Env"] if not e.startswith(("LD_LIBRARY_PATH=", "NVIDIA_DRIVER_CAPABILITIES="))]
env += [f"LD_LIBRARY_PATH={lib}:/usr/local/nvidia/lib:/usr/local/nvidia/lib64",
        # what the NVIDIA container runtime mounts: the CUDA driver and nvidia-smi
        "NVIDIA_DRIVER_CAPABILITIES=compute,utility"]
config["config"]["Env"] = env
# the wheels' versions, e.g. dev.explainable.cuda.cudnn=9.3.0.75
config["config"]["Labels"] = {
    "dev.explainable.cuda." + name.removeprefix("nvidia-").removesuffix("-cu12"): version
    for name, version in sorted(pinned.items())
}
config["rootfs"]["diff_ids"].append("sha256:" + diff_id)
json.dump(config, open(os.path.join(work, "config.json"), "w"))
manifest = json.load(open(os.path.join(work, "manifest.json")))
manifest[0]["Layers"].append("cuda-layer.tar")
manifest[0]["RepoTags"] = ["explainable-serving/base-jre17-cuda12:latest"]
json.dump(manifest, open(os.path.join(work, "manifest.json"), "w"))
PY
layers=$(python3 -c "import json,sys;print(' '.join(json.load(open(sys.argv[1]))[0]['Layers']))" "$work/manifest.json")
# shellcheck disable=SC2086
tar -C "$work" -cf "$OUT.partial" manifest.json config.json $layers
mv "$OUT.partial" "$OUT"
echo "$key" > "$OUT.key"
log "wrote $OUT ($(du -h "$OUT" | cut -f1))"
echo "$OUT"
