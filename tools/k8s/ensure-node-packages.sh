#!/usr/bin/env bash
# Installs what a real single-node cluster needs besides the binaries built by build-control-plane.sh: Debian's
# containerd and runc (the container runtime), the CNI plugins (pod network), iptables and conntrack (kube-proxy).
# Needs root and apt; exits 1 with one line on stderr where it cannot install them.
set -euo pipefail
need=()
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null || need+=(iptables)
command -v conntrack >/dev/null || need+=(conntrack)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "[node] missing ${need[*]} and cannot install them (needs root and apt-get)" >&2
  exit 1
fi
echo "[node] installing ${need[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
