#!/usr/bin/env bash
# Builds a real Kubernetes control plane (and the node components kubelet and kube-proxy) from the Go module proxy,
# cached per version:
#   ~/.cache/explainable-serving/k8s/<k8s version>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,
#   kube-proxy,etcd,kwok,helm}
# The first run on a machine compiles (tens of minutes on 2 cores); later runs find the cache and return at once.
# Prints the cache folder on stdout.
set -euo pipefail
K8S_VERSION=${K8S_VERSION:-v1.34.4}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
HELM_VERSION=${HELM_VERSION:-v3.19.0}
CACHE=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/k8s/$K8S_VERSION
K8S_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
BINARIES=("${K8S_COMPONENTS[@]}" etcd kwok helm)
FILES=(kwok-stages.yaml)

have_all() {
  for b in "${BINARIES[@]}"; do [ -x "$CACHE/$b" ] || return 1; done
  for f in "${FILES[@]}"; do [ -s "$CACHE/$f" ] || return 1; done
}
if have_all; then echo "$CACHE"; exit 0; fi

log() { echo "[control-plane] $*" >&2; }
# shellcheck source=../lib/go-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/go-build.sh"

go_build_setup
mkdir -p "$CACHE"
minor=$(echo "$K8S_VERSION" | cut -d. -f2)
staging_version="v0.${minor}.$(echo "$K8S_VERSION" | cut -d. -f3)"

missing=()
for c in "${K8S_COMPONENTS[@]}"; do [ -x "$CACHE/$c" ] || missing+=("$c"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "building Kubernetes $K8S_VERSION ${missing[*]} (staging modules at $staging_version)"
  mkdir -p "$work/k8s" && cd "$work/k8s"
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  goversion=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -1)
  {
    echo "module explainable.dev/controlplane"
    echo "go $goversion"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging/' "$gomod" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
  } > go.mod
  {
    printf '//go:build tools\npackage tools\n\nimport (\n'
    for c in "${missing[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
    printf ')\n'
  } > tools.go
  go mod tidy >&2
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  for c in "${missing[@]}"; do
    log "go build $c"
    go build -trimpath -ldflags "$ldflags" -o "$CACHE/$c" "k8s.io/kubernetes/cmd/$c" >&2
  done
fi

if [ ! -x "$CACHE/etcd" ]; then
  log "building etcd $ETCD_VERSION"
  mkdir -p "$work/etcd" && cd "$work/etcd"
  printf 'module explainable.dev/etcd\ngo 1.24\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > go.mod
  printf '//go:build tools\npackage tools\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w" -o "$CACHE/etcd" go.etcd.io/etcd/server/v3 >&2
fi

if [ ! -x "$CACHE/kwok" ]; then
  log "building kwok $KWOK_VERSION"
  GOBIN="$CACHE" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2
fi
if [ ! -x "$CACHE/helm" ]; then
  log "building helm $HELM_VERSION"
  GOBIN="$CACHE" go install -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
fi

if [ ! -s "$CACHE/kwok-stages.yaml" ]; then
  # kwok ships its pod/node lifecycle stages as YAML in its module; the binary needs them passed with --config.
  src=$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage
  [ -d "$src" ] || (cd "$work" && GOFLAGS= go mod download "sigs.k8s.io/kwok@$KWOK_VERSION" >&2)
  {
    for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml pod/fast/pod-ready.yaml \
             pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      echo "---"; cat "$src/$f"
    done
  } > "$CACHE/kwok-stages.yaml"
fi
echo "$CACHE"
