#!/usr/bin/env bash
# Installs Google's Vertex AI Python SDK (tools/requirements-vertex-sdk.txt) into a cached virtualenv, for the
# runtime's client compatibility test. Without python3 (with venv) it says so and exits 0: the test then skips.
# The virtualenv: ${EXPLAINABLE_CACHE:-~/.cache/explainable-serving}/pyenv-vertex
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${EXPLAINABLE_CACHE:-$HOME/.cache/explainable-serving}
venv="$cache/pyenv-vertex"
stamp="$venv/.requirements"
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "ensure-vertex-sdk: python3 with venv is missing; the Vertex SDK test will skip"
  exit 0
fi
if [ -x "$venv/bin/python" ] && cmp -s tools/requirements-vertex-sdk.txt "$stamp"; then
  exit 0
fi
rm -rf "$venv"
mkdir -p "$cache"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r tools/requirements-vertex-sdk.txt
cp tools/requirements-vertex-sdk.txt "$stamp"
echo "ensure-vertex-sdk: installed $(grep -v '^#' tools/requirements-vertex-sdk.txt) in $venv"
