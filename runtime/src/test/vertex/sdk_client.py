"""Google's Vertex AI Python SDK, unchanged, against the runtime (run by the runtime's VertexSdkTest).

Usage: sdk_client.py BASE_URL ENDPOINT DEPLOYED_MODEL_ID INSTANCES_JSON
Prints one JSON object: what the SDK parsed from explain (with and without deployed_model_id) and predict.

Credentials: anonymous, or, when the environment variable EXPLAIN_TOKEN is set, that bearer token as
google.oauth2.credentials.Credentials(token) (what a caller with a `kubectl create token` token writes). The token
comes through the environment, not the command line, and is never printed. When the SDK raises an API error, it
prints {"error": {"type": ..., "code": ..., "message": ...}} instead and exits with status 3.
"""
import json
import os
import sys

from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform
from google.oauth2.credentials import Credentials
from google.protobuf import json_format


def credentials():
    token = os.environ.get("EXPLAIN_TOKEN")
    return Credentials(token) if token else AnonymousCredentials()


def main():
    try:
        print(json.dumps(calls()))
    except exceptions.GoogleAPICallError as e:
        print(json.dumps({"error": {"type": type(e).__name__, "code": e.code, "message": e.message}}))
        sys.exit(3)


def calls():
    base, endpoint, deployed, instances = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    aiplatform.init(project="demo", location="us-central1", api_endpoint=base.rstrip("/"),
                    api_transport="rest", credentials=credentials())
    ep = aiplatform.Endpoint(endpoint)
    out = {}
    for key, kwargs in (("explain", {}), ("explain_deployed", {"deployed_model_id": deployed})):
        r = ep.explain(instances=instances, **kwargs)
        out[key] = {
            "deployed_model_id": r.deployed_model_id,
            "predictions": [list(p) if hasattr(p, "__iter__") else p for p in r.predictions],
            "explanations": [json_format.MessageToDict(e._pb) for e in r.explanations],
        }
    p = ep.predict(instances=instances)
    out["predict"] = {"deployed_model_id": p.deployed_model_id,
                      "predictions": [list(x) if hasattr(x, "__iter__") else x for x in p.predictions]}
    return out


if __name__ == "__main__":
    main()
