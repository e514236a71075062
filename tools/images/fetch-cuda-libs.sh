#!/usr/bin/env bash
# Fetches the CUDA 12 and cuDNN 9 user-space libraries the -gpu runtime image carries: NVIDIA's redistributable
# wheels from PyPI at the versions and hashes of tools/images/cuda-requirements.txt (what TensorFlow 2.18.0's
# `tensorflow[and-cuda]` pins), for manylinux x86_64, with pip. Unpacks only their shared libraries
# (nvidia/*/lib/*.so*, less the ones nothing TensorFlow opens needs: SKIP below) into one folder with VERSIONS
# (package==version per line) and SHA256SUMS, and prints the folder's path.
# Cached under ~/.cache/explainable-serving/cuda: each wheel's libraries once (wheels/<its sha256>/; about 1.4 GB
# downloaded the first time, the wheel itself deleted once unpacked), the folder per requirements (lib-<key>/, hard
# links). Needs python3 with pip and network access the first time; no root. Not run by CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REQ=$here/cuda-requirements.txt
# in the wheels, not opened by TensorFlow nor needed by what it opens: BLAS/FFTW drop-ins, the multi-GPU solver,
# CUPTI's own helpers (TensorFlow's profiler loads libcupti only)
SKIP='^(libnvblas|libcufftw|libcusolverMg|libnvperf_host|libnvperf_target|libpcsamplingutil|libcheckpoint)\.so'
CACHE=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/cuda
key=$( (grep '^nvidia' "$REQ"; echo "$SKIP") | sha256sum | cut -c1-16)
OUT=$CACHE/lib-$key
if [ -s "$OUT/VERSIONS" ]; then echo "$OUT"; exit 0; fi
log() { echo "[cuda-libs] $*" >&2; }
mkdir -p "$CACHE/wheels"
grep '^nvidia' "$REQ" | while read -r line; do
  hash=${line##*--hash=sha256:}
  dir=$CACHE/wheels/$hash
  [ -s "$dir/VERSION" ] && continue
  log "downloading ${line%% *}"
  tmp=$(mktemp -d "$CACHE/wheels/download.XXXXXX")
  echo "$line" > "$tmp/requirement.txt"
  # --require-hashes: the wheel must match the hash pinned in the requirements
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3.11 --implementation py --require-hashes -r "$tmp/requirement.txt" -d "$tmp" >&2
  mkdir -p "$tmp/lib"
  python3 - "$tmp" "$SKIP" <<'PY'
import glob, os, re, sys, zipfile
tmp, skip = sys.argv[1], re.compile(sys.argv[2])
lib = re.compile(r"^nvidia/[^/]+/lib/([^/]+\.so(\.[0-9]+)*)$")
(wheel,) = glob.glob(os.path.join(tmp, "*.whl"))
name, version = os.path.basename(wheel).split("-")[:2]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        m = lib.match(info.filename)
        if not m or skip.match(m.group(1)):
            continue
        with z.open(info) as src, open(os.path.join(tmp, "lib", m.group(1)), "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        os.chmod(os.path.join(tmp, "lib", m.group(1)), 0o755)
with open(os.path.join(tmp, "lib", "VERSION"), "w") as f:
    f.write(f"{name.replace('_', '-')}=={version}\n")
PY
  rm -rf "$dir" && mv "$tmp/lib" "$dir" && rm -rf "$tmp"
done
rm -rf "$OUT.partial" && mkdir -p "$OUT.partial"
grep '^nvidia' "$REQ" | while read -r line; do
  dir=$CACHE/wheels/${line##*--hash=sha256:}
  for f in "$dir"/*.so*; do
    [ -e "$OUT.partial/$(basename "$f")" ] && { log "$(basename "$f") is in two wheels"; exit 1; }
    ln "$f" "$OUT.partial/" 2>/dev/null || cp "$f" "$OUT.partial/"
  done
  cat "$dir/VERSION" >> "$OUT.partial/VERSIONS"
done
(cd "$OUT.partial" && sha256sum -- *.so* > SHA256SUMS)
rm -rf "$OUT" && mv "$OUT.partial" "$OUT"
log "$(grep -c . "$OUT/VERSIONS") wheels, $(grep -c . "$OUT/SHA256SUMS") libraries, $(du -sh "$OUT" | cut -f1): $OUT"
echo "$OUT"
