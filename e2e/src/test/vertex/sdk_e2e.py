"""Google's Vertex AI Python SDK, unchanged, on the e2e cluster (run by VertexSdkScenario).

Usage:
  sdk_e2e.py upload MANAGEMENT_URL PROJECT ARTIFACT_URI IMAGE_URI
      Model.upload (integrated gradients, 50 steps; the metadata file in the model folder) and Endpoint.create.
  sdk_e2e.py serve MANAGEMENT_URL RUNTIME_URL PROJECT MODEL ENDPOINT INSTANCES_JSON INPUT_URI OUTPUT_PREFIX
      model.deploy (returns once the deployed model is Ready), endpoint.explain through the model's runtime, and
      Model.batch_predict(generate_explanation=True, sync=True) (returns once the job has finished).

The deploy verbs go to the operator's management API, explain to the model's runtime: two addresses, each given to
aiplatform.init as api_endpoint. The caller's Kubernetes token comes through the environment variable EXPLAIN_TOKEN.
Prints "RESULT " and one JSON object of what the SDK read back (the SDK logs its progress on stdout too); an API
error prints {"error": {...}} there instead and exits with status 3.
"""
import json
import os
import sys

from google.api_core import exceptions
from google.cloud import aiplatform
from google.cloud.aiplatform import explain
from google.oauth2.credentials import Credentials


def init(base, project):
    aiplatform.init(project=project, location="us-central1", api_endpoint=base.rstrip("/"),
                    api_transport="rest", credentials=Credentials(os.environ["EXPLAIN_TOKEN"]))


def upload(management, project, artifact, image):
    init(management, project)
    model = aiplatform.Model.upload(
        display_name="iris sdk",
        artifact_uri=artifact,
        serving_container_image_uri=image,
        explanation_parameters=explain.ExplanationParameters(
            {"integrated_gradients_attribution": {"step_count": 50}}),
        sync=True)
    endpoint = aiplatform.Endpoint.create(display_name="iris sdk ep", sync=True)
    return {"model": model.resource_name, "endpoint": endpoint.resource_name}


def serve(management, runtime, project, model_name, endpoint_name, instances, input_uri, output_prefix):
    init(management, project)
    model = aiplatform.Model(model_name)
    endpoint = aiplatform.Endpoint(endpoint_name)
    model.deploy(endpoint=endpoint, deployed_model_display_name="iris-sdk", traffic_percentage=100, sync=True)
    deployed = [d.id for d in endpoint.list_models()]

    init(runtime, project)
    answer = aiplatform.Endpoint(endpoint_name).explain(instances=instances)
    explanations = [type(e).to_dict(e) for e in answer.explanations]

    init(management, project)
    job = model.batch_predict(
        job_display_name="iris sdk batch",
        gcs_source=[input_uri],
        gcs_destination_prefix=output_prefix,
        generate_explanation=True,
        sync=True)
    stats = job.completion_stats
    return {
        "deployed": deployed,
        "deployed_model_id": answer.deployed_model_id,
        "explanations": explanations,
        "job": job.resource_name,
        "job_state": job.state.name,
        "output_directory": job.output_info.gcs_output_directory,
        "successful": int(stats.successful_count),
        "failed": int(stats.failed_count),
    }


def main():
    try:
        if sys.argv[1] == "upload":
            result = upload(*sys.argv[2:6])
        else:
            a = sys.argv[2:]
            result = serve(a[0], a[1], a[2], a[3], a[4], json.loads(a[5]), a[6], a[7])
        print("RESULT " + json.dumps(result))
    except exceptions.GoogleAPICallError as e:
        print("RESULT " + json.dumps({"error": {"type": type(e).__name__, "code": e.code, "message": e.message}}))
        sys.exit(3)


if __name__ == "__main__":
    main()
