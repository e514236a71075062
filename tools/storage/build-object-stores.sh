#!/usr/bin/env bash
# Builds the object-store servers the storage tests run against, from the Go module proxy, cached per version:
#   ~/.cache/explainable-serving/object-stores/fake-gcs-server-<version>/fake-gcs-server   (Google Cloud Storage)
#   ~/.cache/explainable-serving/object-stores/gofakes3-<version>/gofakes3                 (S3)
# The first run on a machine compiles (about a minute on 2 cores); later runs find the cache and return at once.
# Prints the two binaries' paths on stdout, one per line (fake-gcs-server first).
set -euo pipefail
FAKE_GCS_VERSION=${FAKE_GCS_VERSION:-v1.56.1}
GOFAKES3_VERSION=${GOFAKES3_VERSION:-v1.2.0}
ROOT=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/object-stores
GCS_DIR=$ROOT/fake-gcs-server-$FAKE_GCS_VERSION
S3_DIR=$ROOT/gofakes3-$GOFAKES3_VERSION
log() { echo "[object-stores] $*" >&2; }
# shellcheck source=../lib/go-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/go-build.sh"

if [ ! -x "$GCS_DIR/fake-gcs-server" ] || [ ! -x "$S3_DIR/gofakes3" ]; then
  go_build_setup
  if [ ! -x "$GCS_DIR/fake-gcs-server" ]; then
    log "building fake-gcs-server $FAKE_GCS_VERSION"
    GOBIN="$work/gcs" go install -trimpath -ldflags "-s -w" "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION" >&2
    mkdir -p "$GCS_DIR" && mv "$work/gcs/fake-gcs-server" "$GCS_DIR/fake-gcs-server"
  fi
  if [ ! -x "$S3_DIR/gofakes3" ]; then
    log "building gofakes3 $GOFAKES3_VERSION"
    GOBIN="$work/s3" go install -trimpath -ldflags "-s -w" "github.com/johannesboyne/gofakes3/cmd/gofakes3@$GOFAKES3_VERSION" >&2
    mkdir -p "$S3_DIR" && mv "$work/s3/gofakes3" "$S3_DIR/gofakes3"
  fi
fi
echo "$GCS_DIR/fake-gcs-server"
echo "$S3_DIR/gofakes3"
