#!/usr/bin/env bash
# Builds the JRE base image the runtime and operator images start from, with no Docker daemon and no registry:
# a Debian bookworm minbase root filesystem with openjdk-17-jre-headless (debootstrap from Debian's mirror),
# written as a `docker save`-style tarball that Jib reads with `tar://`. Cached; prints the tarball's path.
# Needs root (debootstrap). Rebuild by deleting the cached file.
set -euo pipefail
CACHE=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/images
OUT=$CACHE/base-jre17.tar
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ -s "$OUT" ]; then echo "$OUT"; exit 0; fi
log() { echo "[base-image] $*" >&2; }
if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
log "debootstrap bookworm (minbase + openjdk-17-jre-headless) from $MIRROR"
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" "$MIRROR" >&2
# What a runtime image does not need: package caches, docs, man pages, locales.
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
  "$rootfs"/usr/share/locale/* "$rootfs"/var/log/* "$rootfs"/tmp/*
mkdir -p "$rootfs/deployments" "$rootfs/tmp" && chmod 1777 "$rootfs/tmp"
java_home=$(dirname "$(dirname "$(readlink -f "$rootfs/usr/bin/java" | sed "s#^$rootfs##")")")
# Build the layer with fixed timestamps and numeric owners so the same rootfs gives the same digest.
tar --numeric-owner --sort=name --mtime='2025-01-01 00:00:00' -C "$rootfs" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"],
           "WorkingDir":"/deployments"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
JSON
echo '[{"Config":"config.json","RepoTags":["explainable-serving/base-jre17:latest"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
tar -C "$work" -cf "$OUT.partial" manifest.json config.json layer.tar
mv "$OUT.partial" "$OUT"
log "wrote $OUT ($(du -h "$OUT" | cut -f1))"
echo "$OUT"
