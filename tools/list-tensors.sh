#!/usr/bin/env bash
# Lists the tensors of a SavedModel that explanation_metadata.json can name (input_tensor_name, encoded_tensor_name,
# output_tensor_name), as the runtime resolves them, with dtype and shape. Optional second argument: a substring
# of the names to keep (e.g. "embedding"). Builds the runtime once if needed.
#   tools/list-tensors.sh runtime/src/test/resources/models/tabular_classifier
# In the runtime image: java -cp '/deployments/app/*:/deployments/lib/boot/*:/deployments/lib/main/*' \
#   dev.explainable.serving.runtime.model.ExplainableTensors /models/m [FILTER]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 SAVED_MODEL_DIR [FILTER]" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
app="$root/runtime/target/quarkus-app"
if [ ! -d "$app/lib/main" ]; then
  "$root/tools/ensure-jdk.sh" >/dev/null
  (cd "$root" && ./mvnw -B -q -ntp -pl runtime -am package -DskipTests)
fi
TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} exec java -cp "$app/app/*:$app/lib/boot/*:$app/lib/main/*" \
  dev.explainable.serving.runtime.model.ExplainableTensors "$@"
