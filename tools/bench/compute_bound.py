#!/usr/bin/env python3
"""The compute bound of the throughput benchmark: TensorFlow's own batched IG, no HTTP, no JSON.

What the hardware can do for Integrated Gradients on a SavedModel when nothing but TensorFlow runs: the same IG as
python_ig_server.py (its Explainer: the metadata's input and baselines, the top class of the first output at the
instance, `--steps` intervals with the trapezoid rule), but for B instances at once, their B x (steps + 1) path points
in one graph call (a tf.function traced once per B), on instances already in memory. For each B in `--batches` it
runs calls back to back for `--seconds` after one warm-up call, and prints explanations per second; the best B is the
bound every server is held against (issue 26: the runtime at >= 0.95x of it). The last line is JSON for
throughput.py: {"model", "best_batch", "explanations_per_s", "by_batch": {B: rate}}.

Instances: the model's expected.json example when it has one, repeated (the values do not change the work of a
dense model), else zeros.

usage: compute_bound.py MODEL_DIR [--batches 1,2,4,8,16] [--seconds 10] [--steps 50] [--threads 0]
  --threads N sets TensorFlow's intra- and inter-op threads (0: TensorFlow's default, as the Python server runs)
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from python_ig_server import Explainer  # noqa: E402


def batched_ig(ex):
    """IG of a batch of instances in one graph call: [B, *shape] -> attributions [B, *shape]."""
    shape = ex.item_shape.as_list()
    points = int(ex.alphas.shape[0])

    @tf.function(input_signature=[tf.TensorSpec([None] + shape, tf.float32)])
    def ig(xs):
        b_count = tf.shape(xs)[0]
        total = tf.zeros_like(xs)
        for i in range(ex.baselines.shape[0]):  # unrolled when traced, as the server's
            base = ex.baselines[i]
            diff = xs - base[None]  # [B, *shape]
            path = base[None, None] + ex.alphas[None] * diff[:, None]  # [B, points, *shape]
            flat = tf.reshape(path, tf.concat([[b_count * points], tf.shape(xs)[1:]], 0))
            with tf.GradientTape() as tape:
                tape.watch(flat)
                out = ex.fn(**{ex.input_key: flat})[ex.output_key]
                if out.shape.rank == 1:
                    scores = out
                else:
                    out = tf.reshape(out, [b_count, points, -1])
                    label = tf.argmax(out[:, -1], axis=-1)  # the top class at each instance
                    scores = tf.gather(out, label, axis=2, batch_dims=1)
            grads = tf.reshape(tape.gradient(scores, flat), tf.shape(path))
            total += \
                tf.einsum("bp...,p->b...", grads, ex.weights) * diff
        return total / ex.baselines.shape[0]

    return ig


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--batches", default="1,2,4,8,16")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    batches = [int(b) for b in args.batches.split(",") if b]
    if not batches or min(batches) < 1 or max(batches) > 256 or not 0 < args.seconds <= 600:
        raise SystemExit("--batches 1..256, --seconds in (0, 600]")
    ex = Explainer(args.model_dir, None, args.steps, "trapezoid", "function")
    shape = ex.item_shape.as_list()
    expected = os.path.join(args.model_dir, "expected.json")
    x = np.zeros(shape, np.float32)
    if os.path.exists(expected):
        with open(expected) as f:
            data = json.load(f)
        inst = data.get("instance") or (data.get("instances") or [None])[0]
        if isinstance(inst, dict):
            inst = next(iter(inst.values()))
        try:
            x = np.asarray(inst, np.float32).reshape(shape)
        except (ValueError, TypeError):
            pass
    ig = batched_ig(ex)
    # the batched function answers what the server's answers for one instance
    one = ex.ig(tf.constant(x))[0].numpy()
    got = ig(tf.constant(x[None]))[0].numpy()
    if not np.allclose(one, got, rtol=1e-3, atol=1e-5):
        raise SystemExit(f"batched IG differs from the server's: max |d| {np.max(np.abs(one - got))}")
    rates = {}
    name = os.path.basename(os.path.normpath(args.model_dir))
    print(f"# compute bound of {name}: TF {tf.__version__}, IG {args.steps} steps trapezoid, "
          f"{int(ex.alphas.shape[0]) * ex.baselines.shape[0]} points an instance")
    for b in batches:
        xs = tf.constant(np.repeat(x[None], b, axis=0))
        ig(xs).numpy()  # trace and warm
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            ig(xs).numpy()
            calls += 1
        elapsed = time.perf_counter() - start
        rates[b] = calls * b / elapsed
        print(f"{name:<20} batch {b:>3}: {rates[b]:8.{2 if rates[b] < 10 else 1}f} explanations/s ({calls} calls in {elapsed:.1f} s)")
    best = max(rates, key=rates.get)
    print(json.dumps({"model": name, "best_batch": best, "explanations_per_s": rates[best],
                      "by_batch": {str(k): v for k, v in rates.items()}}))


if __name__ == "__main__":
    main()
