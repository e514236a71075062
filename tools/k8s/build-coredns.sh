#!/usr/bin/env bash
# Builds CoreDNS, the end-to-end cluster's DNS, from the Go module proxy, cached per version:
#   ~/.cache/explainable-serving/coredns/<version>/coredns
# Only the plugins the test cluster uses are compiled in (a small main package importing CoreDNS' coremain and
# those plugins, as CoreDNS documents for custom builds): kubernetes, bind, ready, health, errors, log, cache. The
# full `go install github.com/coredns/coredns` would also compile the cloud DNS providers' SDKs, which the cluster
# never uses. The first run on a machine compiles (about a minute on 2 cores); later runs return at once.
# Prints the binary's path on stdout.
set -euo pipefail
COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}
DIR=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/coredns/$COREDNS_VERSION
log() { echo "[coredns] $*" >&2; }
# shellcheck source=../lib/go-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/go-build.sh"

if [ ! -x "$DIR/coredns" ]; then
  go_build_setup
  log "building CoreDNS $COREDNS_VERSION (plugins: kubernetes bind ready health errors log cache)"
  cd "$work"
  gomod=$(go mod download -json "github.com/coredns/coredns@$COREDNS_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  goversion=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -1)
  printf 'module explainable.dev/coredns\ngo %s\nrequire github.com/coredns/coredns %s\n' \
    "$goversion" "$COREDNS_VERSION" > go.mod
  cat > main.go <<'GO'
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() { coremain.Run() }
GO
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w" -o coredns . >&2
  mkdir -p "$DIR" && mv coredns "$DIR/coredns"
fi
echo "$DIR/coredns"
