#!/usr/bin/env python3
"""One explanation's gradient points: one TensorFlow call, two calls one after the other, or two calls at once.

Why it exists: the runtime hands an explanation's points that do not fit one run (explain.limits.max-batch-elements)
to TensorFlow in runs of equal size, two at once (PathAttributions.evaluate, ModelRunner.CALLS_AT_ONCE). This
measures that choice in TensorFlow alone, with no server: the forward and backward pass of `--points` random points
of the model's input as one tf.function call, as calls of the runtime's old sizes one after the other (37 then 14
for MobileNetV2 96x96 at the default cap), and as two or three equal calls from as many Python threads at once
(TensorFlow releases the GIL while it runs). Milliseconds per set of points, medians of `--rounds` rounds of
`--seconds` each, all variants interleaved in one run.

usage: concurrent_runs.py MODEL_DIR [--points 51] [--cap 37] [--seconds 5] [--rounds 3]
"""
import argparse
import os
import statistics
import sys
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from python_ig_server import Explainer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--points", type=int, default=51)
    ap.add_argument("--cap", type=int, default=37, help="most points of one run (the runtime's at the default cap)")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not 2 <= args.points <= 4096 or not 1 <= args.cap or not 0 < args.seconds <= 120 or not 1 <= args.rounds <= 20:
        raise SystemExit("--points 2..4096, --cap >= 1, --seconds in (0, 120], --rounds 1..20")
    ex = Explainer(args.model_dir, None, 50, "trapezoid", "function")
    shape = ex.item_shape.as_list()

    @tf.function(input_signature=[tf.TensorSpec([None] + shape, tf.float32)])
    def gradients(points):
        with tf.GradientTape() as tape:
            tape.watch(points)
            out = ex.fn(**{ex.input_key: points})[ex.output_key]
            score = tf.reduce_sum(out if out.shape.rank == 1 else out[:, 0])
        return tape.gradient(score, points)

    n = args.points
    cap = min(args.cap, n)
    serial = [cap] * (n // cap) + ([n % cap] if n % cap else [])
    halves = [n - n // 2, n // 2]
    thirds = [n // 3 + (1 if i < n % 3 else 0) for i in range(3)]
    rng = np.random.default_rng(0)
    data = {k: tf.constant(rng.random([k] + shape, dtype=np.float32)) for k in set([n] + serial + halves + thirds)}
    for t in data.values():
        gradients(t).numpy()  # trace and warm every size

    def one_after_another(sizes):
        return lambda: [gradients(data[k]).numpy() for k in sizes]

    def at_once(sizes):
        def run():
            threads = [threading.Thread(target=lambda k=k: gradients(data[k]).numpy()) for k in sizes]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        return run

    variants = {
        f"one call of {n}": one_after_another([n]),
        f"{' then '.join(map(str, serial))}": one_after_another(serial),
        f"{' | '.join(map(str, halves))} at once": at_once(halves),
        f"{' | '.join(map(str, thirds))} at once": at_once(thirds),
    }
    ms = {k: [] for k in variants}
    for _ in range(args.rounds):
        for name, run in variants.items():
            run()
            calls, start = 0, time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                run()
                calls += 1
            ms[name].append((time.perf_counter() - start) / calls * 1000)
    base = statistics.median(ms[f"one call of {n}"])
    model = os.path.basename(os.path.normpath(args.model_dir))
    print(f"# {model}: forward and backward of {n} points, TF {tf.__version__}, {os.cpu_count()} cores, "
          f"medians of {args.rounds} rounds of {args.seconds:g} s")
    for name, values in ms.items():
        m = statistics.median(values)
        print(f"{model:<16} {name:<22} {m:8.1f} ms ({min(values):.1f}-{max(values):.1f})  {base / m:5.2f}x one call")


if __name__ == "__main__":
    main()
