#!/usr/bin/env bash
# Regenerates runtime/src/test/resources/batch/ (TFRecord files written by TensorFlow 2.18's own writer).
# Not part of CI (the fixtures are committed); the virtualenv is shared with make-test-models.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-$HOME/.cache/explainable-serving/pyenv-tf}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r tools/requirements-models.txt
TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" tools/make-batch-fixtures.py runtime/src/test/resources/models \
  runtime/src/test/resources/batch
