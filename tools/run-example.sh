#!/usr/bin/env bash
# Builds the runtime and serves a bundled example model (a 3-class tabular classifier) on http://localhost:8080.
#   tools/run-example.sh                      # model "iris", version "v1"
#   EXAMPLE=cnn_image tools/run-example.sh    # any folder of runtime/src/test/resources/models
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-jdk.sh
./mvnw -B -q -pl runtime -am package -DskipTests
example=${EXAMPLE:-tabular_classifier}
export EXPLAIN_MODEL_DIR=${EXPLAIN_MODEL_DIR:-runtime/src/test/resources/models/$example}
export EXPLAIN_MODEL_NAME=${EXPLAIN_MODEL_NAME:-$([ "$example" = tabular_classifier ] && echo iris || echo "$example")}
export EXPLAIN_MODEL_VERSION=${EXPLAIN_MODEL_VERSION:-v1}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
echo "serving $EXPLAIN_MODEL_DIR as model '$EXPLAIN_MODEL_NAME' version '$EXPLAIN_MODEL_VERSION' on port ${QUARKUS_HTTP_PORT:-8080}"
exec java -jar runtime/target/quarkus-app/quarkus-run.jar
