#!/usr/bin/env bash
# Regenerates the committed test SavedModels with TensorFlow 2.18 (the TensorFlow inside TF Java 1.1.0).
# Not part of CI: the outputs are committed. Arguments: only these models (e.g. valid_fcn_image). The virtualenv is cached under ~/.cache/explainable-serving.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-$HOME/.cache/explainable-serving/pyenv-tf}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r tools/requirements-models.txt
TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" tools/make-test-models.py runtime/src/test/resources/models "$@"
