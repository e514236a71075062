#!/usr/bin/env python3
"""A reference Python server for the throughput benchmark: Integrated Gradients with TensorFlow's GradientTape.

What a Python user would write to serve explanations of a SavedModel: tf.saved_model.load, the serving signature,
IG over a straight path from the baseline with every path point in one batch per instance, behind the standard
library's ThreadingHTTPServer (a thread per connection, HTTP/1.1 keep-alive). It answers the AI Platform request
shape for what the benchmark models need:

    POST /v1/projects/{p}/models/{m}:explain  (also .../versions/{v}:explain)
    {"instances": [<value of the one input, nested lists>, or {"<input>": <value>}]}
 -> {"explanations": [{"attributions_by_label": [{"attributions": {"<metadata input>": [...]},
                       "example_score": ..., "baseline_score": ..., "label_index": ..., "output_name": ...,
                       "approx_error": ..., "label_name": ...}]}]}

One explained float input (the metadata's only input, which must be a signature input), the top class of the
metadata's first output at the instance (label_index -1 for a scalar output), the metadata's input_baselines
(averaged over baselines when there are several), `--steps` intervals with the trapezoid rule (steps + 1 points,
the runtime's default) or `uniform` (PAIR saliency's linspace(0, 1, steps)). Attributions come back as raw nested
lists, also for image inputs (the runtime renders those as a picture instead).

`--mode function` (the default) runs the path batch, the forward pass, the gradient and the weighted sum as one
tf.function traced once for the input's shape (a single graph call per instance); `--mode eager` calls the same
signature under an eager GradientTape (the function mode was faster on every benchmark model, see
docs/development.md). GET /q/health/ready answers 200 once the model is loaded and one explanation ran (the server
listens only then).

usage: python_ig_server.py MODEL_DIR [--metadata FILE] [--port 8501] [--steps 50] [--rule trapezoid] [--mode function]
"""
import argparse
import json
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.protobuf import saved_model_pb2  # noqa: E402

EXPLAIN_PATH = re.compile(r"/v1/projects/[^/]+/models/[^/:]+(/versions/[^/:]+)?:explain")


class BadRequest(Exception):
    pass


class Explainer:
    def __init__(self, model_dir, metadata_file, steps, rule, mode):
        with open(metadata_file or os.path.join(model_dir, "explanation_metadata.json")) as f:
            metadata = json.load(f)
        sig_key = metadata.get("serving_sigdef_key", "serving_default")
        # the metadata names graph tensors; the signature's keys are what the concrete function takes and returns
        sm = saved_model_pb2.SavedModel()
        with open(os.path.join(model_dir, "saved_model.pb"), "rb") as f:
            sm.ParseFromString(f.read())
        sigdef = sm.meta_graphs[0].signature_def[sig_key]
        input_keys = {v.name: k for k, v in sigdef.inputs.items()}
        output_keys = {v.name: k for k, v in sigdef.outputs.items()}
        if len(metadata["inputs"]) != 1 or len(sigdef.inputs) != 1:
            raise SystemExit("this reference server explains models with exactly one input")
        (self.input_name, input_md), = metadata["inputs"].items()
        self.output_name, output_md = next(iter(metadata["outputs"].items()))
        if input_md["input_tensor_name"] not in input_keys:
            raise SystemExit(f"{input_md['input_tensor_name']} is not an input of signature {sig_key}")
        self.input_key = input_keys[input_md["input_tensor_name"]]
        self.output_key = output_keys[output_md["output_tensor_name"]]
        self.label_names = output_md.get("index_name_mapping")

        self.loaded = tf.saved_model.load(model_dir)
        self.fn = self.loaded.signatures[sig_key]
        spec = self.fn.structured_input_signature[1][self.input_key]
        if spec.dtype != tf.float32:
            raise SystemExit(f"input {self.input_key} is {spec.dtype.name}; this server explains float32 inputs")
        self.item_shape = spec.shape[1:]
        if not self.item_shape.is_fully_defined():
            raise SystemExit(f"input {self.input_key} has free dimensions {spec.shape}; not supported here")
        shape = self.item_shape.as_list()
        self.baselines = tf.constant(np.stack([np.broadcast_to(np.asarray(b, np.float32), shape)
                                               for b in input_md.get("input_baselines", [0.0])]))

        if rule == "trapezoid":
            alphas = np.linspace(0.0, 1.0, steps + 1)
            weights = np.full(steps + 1, 1.0 / steps)
            weights[0] = weights[-1] = 0.5 / steps
        elif rule == "uniform":
            alphas = np.linspace(0.0, 1.0, steps)
            weights = np.full(steps, 1.0 / steps)
        else:
            raise SystemExit(f"unknown rule {rule}")
        self.alphas = tf.constant(alphas.reshape([-1] + [1] * len(shape)), tf.float32)
        self.weights = tf.constant(weights, tf.float32)
        if mode == "function":
            self.ig = tf.function(self.ig_one, input_signature=[tf.TensorSpec(shape, tf.float32)])
        elif mode == "eager":
            self.ig = self.ig_one
        else:
            raise SystemExit(f"unknown mode {mode}")

    def ig_one(self, x):
        """IG of one instance from every baseline: (attributions, example score, mean baseline score, label)."""
        attributions, baseline_scores = [], []
        label, example_score = None, None
        for i in range(self.baselines.shape[0]):  # a Python loop: unrolled when traced
            b = self.baselines[i]
            path = b[None] + self.alphas * (x - b)[None]  # [points, ...]: alpha 0 first, alpha 1 last
            with tf.GradientTape() as tape:
                tape.watch(path)
                out = self.fn(**{self.input_key: path})[self.output_key]
                if out.shape.rank == 1:
                    scores, label = out, tf.constant(-1, tf.int64)
                else:
                    out = tf.reshape(out, [tf.shape(out)[0], -1])
                    if label is None:  # the top class at the instance (the path's last point)
                        label = tf.argmax(out[-1])
                    scores = tf.gather(out, label, axis=1)
            grads = tape.gradient(scores, path)
            attributions.append(tf.tensordot(self.weights, grads, axes=1) * (x - b))
            baseline_scores.append(scores[0])
            example_score = scores[-1]
        return tf.add_n(attributions) / len(attributions), example_score, tf.add_n(baseline_scores) / len(
            baseline_scores), label

    def explain(self, instance):
        if isinstance(instance, dict):
            if set(instance) - {self.input_key, self.input_name} or len(instance) != 1:
                raise BadRequest(f"an instance names the one input {self.input_key!r}")
            instance = next(iter(instance.values()))
        try:
            x = np.asarray(instance, np.float32)
        except (ValueError, TypeError) as e:
            raise BadRequest(f"instance is not a float tensor: {e}")
        if x.shape != tuple(self.item_shape.as_list()):
            raise BadRequest(f"instance has shape {list(x.shape)}, the input takes {self.item_shape.as_list()}")
        if not np.all(np.isfinite(x)):
            raise BadRequest("non-finite value")
        attr, example, baseline, label = self.ig(tf.constant(x))
        attr = attr.numpy()
        example, baseline, label = float(example), float(baseline), int(label)
        gap = abs(float(attr.sum(dtype=np.float64)) - (example - baseline))
        entry = {"approx_error": gap / abs(example - baseline) if example != baseline else gap,
                 "attributions": {self.input_name: attr.tolist()},
                 "baseline_score": baseline, "example_score": example, "label_index": label,
                 "output_name": self.output_name}
        if self.label_names and 0 <= label < len(self.label_names):
            entry["label_name"] = self.label_names[label]
        return {"attributions_by_label": [entry]}


def make_handler(explainer, max_body):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the runtime
        # headers and body are two writes: with Nagle's algorithm on, the body waits for the client's delayed ACK
        # (40 ms a response on Linux); every serious server sets TCP_NODELAY, and so does the runtime (Vert.x)
        disable_nagle_algorithm = True

        def send_json(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path in ("/q/health/ready", "/q/health/live"):
                self.send_json(200, {"status": "UP"})
            else:
                self.send_json(404, {"error": "not found"})

        def do_POST(self):
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self.send_json(411, {"error": "Content-Length required"})
                self.close_connection = True
                return
            if length > max_body:
                self.send_json(413, {"error": "body too large"})
                self.close_connection = True
                return
            body = self.rfile.read(length)
            if not EXPLAIN_PATH.fullmatch(self.path):
                self.send_json(404, {"error": f"no route {self.path}"})
                return
            try:
                try:
                    request = json.loads(body)
                except ValueError as e:
                    raise BadRequest(f"invalid JSON: {e}")
                instances = request.get("instances") if isinstance(request, dict) else None
                if not isinstance(instances, list) or not instances:
                    raise BadRequest("instances must be a non-empty list")
                self.send_json(200, {"explanations": [explainer.explain(i) for i in instances]})
            except BadRequest as e:
                self.send_json(400, {"error": str(e)})
            except Exception as e:  # noqa: BLE001 - a server answers, it does not die
                self.send_json(500, {"error": f"{type(e).__name__}: {e}"})

        def log_message(self, fmt, *args):  # no access log: it would cost as much as a small explanation
            pass

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--metadata", help="explanation metadata (default: <model_dir>/explanation_metadata.json)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--rule", choices=["trapezoid", "uniform"], default="trapezoid")
    ap.add_argument("--mode", choices=["function", "eager"], default="function")
    ap.add_argument("--max-body", type=int, default=1572864)
    args = ap.parse_args()
    if not 1 <= args.steps <= 10000:
        sys.exit("--steps: 1 to 10000")
    t0 = time.time()
    explainer = Explainer(args.model_dir, args.metadata, args.steps, args.rule, args.mode)
    explainer.explain(np.zeros(explainer.item_shape.as_list(), np.float32).tolist())  # trace and warm up
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128  # listen backlog (the default 5 drops connects under 32 clients)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(explainer, args.max_body))
    print(f"python IG server: {args.model_dir} on {args.host}:{server.server_address[1]}, {args.steps} steps "
          f"{args.rule}, {args.mode} mode, TensorFlow {tf.__version__}, ready after {time.time() - t0:.1f} s",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
