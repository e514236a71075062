"""Google's Vertex AI Python SDK, unchanged, against the runtime (run by the runtime's VertexSdkTest).

Usage: sdk_client.py BASE_URL ENDPOINT DEPLOYED_MODEL_ID INSTANCES_JSON
Prints one JSON object: what the SDK parsed from explain (with and without deployed_model_id) and predict.
"""
import json
import sys

from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform
from google.protobuf import json_format


def main():
    base, endpoint, deployed, instances = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    aiplatform.init(project="demo", location="us-central1", api_endpoint=base.rstrip("/"),
                    api_transport="rest", credentials=AnonymousCredentials())
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
    print(json.dumps(out))


if __name__ == "__main__":
    main()
