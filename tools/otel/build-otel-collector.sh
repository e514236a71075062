#!/usr/bin/env bash
# Builds a minimal OpenTelemetry Collector, the tracing tests' span sink, from the Go module proxy, cached per version:
#   ~/.cache/explainable-serving/otelcol/<version>/otelcol
# Only the OTLP receiver (gRPC and HTTP) and the debug exporter are compiled in, with the file and env config providers
# (the command's default scheme for ${VAR} is env, and it refuses to start without that provider): a small main package
# shaped like the one the collector's builder (ocb) generates. The release distributions (otelcol,
# otelcol-contrib) would also compile dozens of components the tests never use. All collector modules come from one
# release: OTELCOL_VERSION for the v0 modules, OTELCOL_STABLE_VERSION for the v1 ones that go with it. The first run
# on a machine compiles (a few minutes on 2 cores); later runs return at once. Prints the binary's path on stdout.
# Run it as: otelcol --config tools/otel/collector-debug.yaml
set -euo pipefail
OTELCOL_VERSION=${OTELCOL_VERSION:-v0.165.0}
OTELCOL_STABLE_VERSION=${OTELCOL_STABLE_VERSION:-v1.71.0}
DIR=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}/otelcol/$OTELCOL_VERSION
log() { echo "[otelcol] $*" >&2; }
# shellcheck source=../lib/go-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/go-build.sh"

if [ ! -x "$DIR/otelcol" ]; then
  go_build_setup
  log "building OpenTelemetry Collector $OTELCOL_VERSION/$OTELCOL_STABLE_VERSION (otlp receiver, debug exporter)"
  cd "$work"
  C=go.opentelemetry.io/collector
  gomod=$(go mod download -json "$C/otelcol@$OTELCOL_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  goversion=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -1)
  {
    printf 'module explainable.dev/otelcol\ngo %s\nrequire (\n' "$goversion"
    for m in component confmap confmap/provider/envprovider confmap/provider/fileprovider exporter receiver; do
      echo "  $C/$m $OTELCOL_STABLE_VERSION"; done
    for m in otelcol service exporter/debugexporter receiver/otlpreceiver; do echo "  $C/$m $OTELCOL_VERSION"; done
    echo ')'
  } > go.mod
  sed "s/@VERSION@/${OTELCOL_VERSION#v}/" > main.go <<'GO'
package main

import (
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/debugexporter"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"
)

func components() (otelcol.Factories, error) {
	var err error
	factories := otelcol.Factories{Telemetry: otelconftelemetry.NewFactory()}
	if factories.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	if factories.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](debugexporter.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	return factories, nil
}

func main() {
	set := otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{
			Command:     "otelcol",
			Description: "Explainable Serving's minimal OpenTelemetry Collector (otlp receiver, debug exporter)",
			Version:     "@VERSION@",
		},
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				ProviderFactories: []confmap.ProviderFactory{envprovider.NewFactory(), fileprovider.NewFactory()},
			},
		},
	}
	if err := otelcol.NewCommand(set).Execute(); err != nil {
		os.Exit(1) // cobra has printed the error
	}
}
GO
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w" -o otelcol . >&2
  mkdir -p "$DIR" && mv otelcol "$DIR/otelcol"
fi
echo "$DIR/otelcol"
