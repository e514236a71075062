"""Example-based explanations through Google's Vertex AI Python SDK and raw REST, against an exact numpy search.

Usage: sdk_neighbors.py BASE_URL ENDPOINT EXAMPLES_JSONL QUERIES
Run by the runtime's ExampleNeighborsSdkTest. The runtime serves embedding_classifier with the example set
EXAMPLES_JSONL (each line {"id", "features"}; lines that are not such an example are left out here as there).

1. The embeddings of every example and of QUERIES seeded random instances, from the runtime
   (examplesOverride.returnEmbeddings, raw REST).
2. The exact 10 nearest examples of each query by squared Euclidean distance over those embeddings, in numpy.
3. The neighbours the SDK's Endpoint.explain parses (REST transport, anonymous credentials), and those of a raw REST
   explain.
Prints "RESULT " and one JSON object: recall@10 of each against numpy, the largest distance difference, and whether
the SDK and REST answers are the same.
"""
import json
import sys
import urllib.request

import numpy as np
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform

CHUNK = 32
K = 10


def rest(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def examples(path):
    ids, rows, seen = [], [], set()
    with open(path) as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if not isinstance(o, dict) or not isinstance(o.get("id"), str) or o["id"] in seen:
                continue
            if not isinstance(o.get("features"), list) or len(o["features"]) != 8:
                continue
            seen.add(o["id"])
            ids.append(o["id"])
            rows.append(o["features"])
    return ids, rows


def embeddings(url, rows):
    out = []
    for i in range(0, len(rows), CHUNK):
        body = {"instances": [{"features": r} for r in rows[i:i + CHUNK]],
                "explanationSpecOverride": {"examplesOverride": {"returnEmbeddings": True}}}
        out.extend(e["embedding"] for e in rest(url, body)["explanations"])
    return np.array(out, dtype=np.float32).astype(np.float64)


def main():
    base, endpoint, path, queries = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], int(sys.argv[4])
    url = f"{base}/v1/projects/demo/locations/us-central1/endpoints/{endpoint}:explain"
    ids, rows = examples(path)
    x = embeddings(url, rows)
    q_rows = np.random.default_rng(11).normal(size=(queries, 8)).astype(np.float32).tolist()
    q = embeddings(url, q_rows)
    distances = ((q[:, None, :] - x[None, :, :]) ** 2).sum(axis=-1)
    exact = np.argsort(distances, axis=1, kind="stable")[:, :K]

    aiplatform.init(project="demo", location="us-central1", api_endpoint=base, api_transport="rest",
                    credentials=AnonymousCredentials())
    ep = aiplatform.Endpoint(endpoint)
    sdk, raw = [], []
    for i in range(0, queries, CHUNK):
        chunk = [{"features": r} for r in q_rows[i:i + CHUNK]]
        r = ep.explain(instances=chunk)
        sdk.extend([(n.neighbor_id, n.neighbor_distance) for n in e.neighbors] for e in r.explanations)
        raw.extend([(n["neighborId"], n["neighborDistance"]) for n in e["neighbors"]]
                   for e in rest(url, {"instances": chunk})["explanations"])

    position = {id_: i for i, id_ in enumerate(ids)}

    def recall(answers):
        hits = sum(len({n for n, _ in a} & {ids[j] for j in exact[i]}) for i, a in enumerate(answers))
        return hits / (K * queries)

    gap = max(abs(d - distances[i, position[n]]) for i, a in enumerate(sdk) for n, d in a)
    in_order = all([n for n, _ in a] == [ids[j] for j in exact[i]] for i, a in enumerate(sdk))
    print("RESULT " + json.dumps({
        "examples": len(ids), "queries": queries, "neighbors": min(len(a) for a in sdk),
        "recall_sdk": recall(sdk), "recall_rest": recall(raw), "max_distance_gap": gap,
        "sdk_equals_rest": [[n for n, _ in a] for a in sdk] == [[n for n, _ in a] for a in raw],
        "sdk_in_exact_order": in_order}))


if __name__ == "__main__":
    main()
