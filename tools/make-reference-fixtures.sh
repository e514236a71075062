#!/usr/bin/env bash
# Regenerates runtime/src/test/resources/reference/*.json with PAIR saliency + TensorFlow 2.18 from PyPI.
# Not part of CI (the fixtures are committed); the virtualenv is shared with make-test-models.sh.
# Arguments: only these models (e.g. recurrent_image_rows); all when none.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-$HOME/.cache/explainable-serving/pyenv-tf}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r tools/requirements-models.txt saliency==0.2.1 scikit-image==0.26.0
TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" tools/make-reference-fixtures.py runtime/src/test/resources/models \
  runtime/src/test/resources/reference "$@"
