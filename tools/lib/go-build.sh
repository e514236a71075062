# Sourced by the scripts that build Go programs from the Go module proxy (tools/k8s/build-control-plane.sh,
# tools/k8s/build-coredns.sh, tools/storage/build-object-stores.sh, tools/otel/build-otel-collector.sh), which define log() first.
#
# go_build_setup: Go (Debian's golang-go when there is none: old, but with GOTOOLCHAIN=auto it fetches the toolchain
# each module asks for from the proxy), module mode, and $work, a temporary folder removed at exit: a build writes
# there first, so that an interrupted build leaves no half binary in the cache.
go_build_setup() {
  if ! command -v go >/dev/null; then
    log "go not found: installing Debian's golang-go"
    local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq golang-go >/dev/null
  fi
  export GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}
