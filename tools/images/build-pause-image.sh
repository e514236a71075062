#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image a kubelet's container runtime needs, with no registry: a static Go binary
# (tools/images/pause) in a one-layer `docker save`-style tarball tagged registry.k8s.io/pause:3.10, the name
# containerd's CRI plugin asks for. Cached; prints the tarball's path.
set -euo pipefail
CACHE=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/images
OUT=$CACHE/pause.tar
TAG=${PAUSE_IMAGE:-registry.k8s.io/pause:3.10}
if [ -s "$OUT" ]; then echo "$OUT"; exit 0; fi
src=$(cd "$(dirname "$0")/pause" && pwd)
mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs"
(cd "$src" && CGO_ENABLED=0 GOTOOLCHAIN=${GOTOOLCHAIN:-auto} go build -trimpath -ldflags "-s -w" -o "$work/rootfs/pause" .)
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime='2025-01-01 00:00:00' -C "$work/rootfs" -cf "$work/layer.tar" pause
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
JSON
echo "[{\"Config\":\"config.json\",\"RepoTags\":[\"$TAG\"],\"Layers\":[\"layer.tar\"]}]" > "$work/manifest.json"
tar -C "$work" -cf "$OUT.partial" manifest.json config.json layer.tar
mv "$OUT.partial" "$OUT"
echo "[pause-image] wrote $OUT" >&2
echo "$OUT"
