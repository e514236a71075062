"""Google's Vertex AI Python SDK, unchanged, deploying through the operator's management API
(run by VertexManagementOnControlPlaneTest).

Usage: sdk_deploy.py BASE_URL PROJECT ARTIFACT_URI IMAGE_URI
The caller's Kubernetes token comes through the environment variable EXPLAIN_TOKEN (never the command line).
Runs Model.upload -> Endpoint.create -> model.deploy (returns once the deployed model is Ready) ->
Model.batch_predict(generate_explanation=True, sync=False) and prints "RESULT " and one JSON object of what the
SDK read back (the SDK logs its progress on stdout too).
An API error prints {"error": {...}} and exits with status 3.
"""
import json
import os
import sys

from google.api_core import exceptions
from google.cloud import aiplatform
from google.cloud.aiplatform import explain
from google.oauth2.credentials import Credentials


def main():
    try:
        result = calls()
        print("RESULT " + json.dumps(result))  # the SDK logs on stdout too
    except exceptions.GoogleAPICallError as e:
        print(json.dumps({"error": {"type": type(e).__name__, "code": e.code, "message": e.message}}))
        sys.exit(3)


def calls():
    base, project, artifact, image = sys.argv[1:5]
    aiplatform.init(project=project, location="us-central1", api_endpoint=base.rstrip("/"),
                    api_transport="rest", credentials=Credentials(os.environ["EXPLAIN_TOKEN"]))
    model = aiplatform.Model.upload(
        display_name="iris sdk",
        artifact_uri=artifact,
        serving_container_image_uri=image,
        explanation_metadata=explain.ExplanationMetadata(
            inputs={"features": {"input_tensor_name": "dense_input"}},
            outputs={"probabilities": {"output_tensor_name": "dense_2"}}),
        explanation_parameters=explain.ExplanationParameters(
            {"integrated_gradients_attribution": {"step_count": 30}}),
        sync=True)
    endpoint = aiplatform.Endpoint.create(display_name="iris sdk ep", sync=True)
    model.deploy(endpoint=endpoint, deployed_model_display_name="iris-sdk", machine_type="n1-standard-2",
                 min_replica_count=1, max_replica_count=1, traffic_percentage=100, sync=True)
    deployed = endpoint.list_models()
    job = model.batch_predict(
        job_display_name="iris sdk batch",
        gcs_source=["gs://batch-bucket/in/instances.jsonl"],
        gcs_destination_prefix="gs://batch-bucket/out",
        generate_explanation=True,
        explanation_parameters=explain.ExplanationParameters(
            {"integrated_gradients_attribution": {"step_count": 50}}),
        machine_type="n1-standard-2",
        starting_replica_count=1,
        max_replica_count=2,
        batch_size=16,
        sync=False)
    job.wait_for_resource_creation()
    return {
        "model": model.resource_name,
        "model_version": model.version_id,
        "endpoint": endpoint.resource_name,
        "deployed": [{"id": d.id, "model": d.model, "display_name": d.display_name} for d in deployed],
        "traffic": dict(endpoint.traffic_split),
        "job": job.resource_name,
        "job_state": job.state.name,
    }


if __name__ == "__main__":
    main()
