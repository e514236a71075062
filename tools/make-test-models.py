#!/usr/bin/env python3
"""Generates the small, REAL TensorFlow SavedModels the runtime tests load.

Run it through tools/make-test-models.sh, which makes a virtualenv with TensorFlow 2.18 (the
version inside TensorFlow Java 1.1.0's native library). The outputs are committed, so CI never
installs TensorFlow for Python.

Most models are Keras 3 models exported with `model.export` (or tf.Modules saved with
tf.saved_model.save), so their bodies sit inside a StatefulPartitionedCall with resource variables,
exactly the shape that defeats plain gradients in TF Java; tf1_example_parser is an estimator-era
TF1 graph instead.

For most models the script also writes `expected.json`: the model's output for sample instances and
Integrated Gradients attributions computed here with tf.GradientTape and the same trapezoid rule
the runtime uses (for recurrent_variable_length, exact Shapley values). The Java tests compare
against these numbers, so the Java gradient path is checked against TensorFlow's own Python
autodiff.
"""
import io
import json
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from PIL import Image  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "runtime/src/test/resources/models"
STEPS = 50
keras.utils.set_random_seed(7)


def trapezoid_ig(fn, x, baseline, steps=STEPS):
    """IG with `steps` intervals (steps + 1 points), trapezoid weights; fn maps a batch to scores."""
    alphas = tf.linspace(0.0, 1.0, steps + 1)
    x = tf.convert_to_tensor(x, tf.float32)
    baseline = tf.broadcast_to(tf.convert_to_tensor(baseline, tf.float32), x.shape)
    shape = [steps + 1] + [1] * len(x.shape)
    path = baseline[None] + tf.reshape(alphas, shape) * (x - baseline)[None]
    with tf.GradientTape() as tape:
        tape.watch(path)
        scores = fn(path)
    grads = tape.gradient(scores, path).numpy()
    weights = np.ones(steps + 1) / steps
    weights[0] = weights[-1] = 0.5 / steps
    avg = np.tensordot(weights, grads, axes=1)
    return (avg * (x - baseline).numpy()), float(scores.numpy()[0]), float(scores.numpy()[-1])


def fresh(name):
    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def signature_tensor(model_dir, key, outputs=True):
    """The graph tensor name behind a serving_default input or output key."""
    from tensorflow.core.protobuf import saved_model_pb2
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(model_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    sig = sm.meta_graphs[0].signature_def["serving_default"]
    return (sig.outputs if outputs else sig.inputs)[key].name


def only_signature_input(model_dir):
    from tensorflow.core.protobuf import saved_model_pb2
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(model_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    (spec,) = sm.meta_graphs[0].signature_def["serving_default"].inputs.values()
    return spec.name


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def top_label(model, x):
    """The model's probabilities for the one instance x, and the index of the largest."""
    probs = model(x[None]).numpy()[0]
    return probs, int(np.argmax(probs))


def tolist(a):
    return np.asarray(a, dtype=np.float64).round(7).tolist()


def linear_regressor():
    """y = w.x + c: IG has the closed form w_i (x_i - b_i)."""
    path = fresh("linear_regressor")
    inp = keras.Input(shape=(4,), name="x")
    dense = keras.layers.Dense(1, name="y")
    model = keras.Model(inp, dense(inp))
    dense.set_weights([np.array([[2.0], [-1.0], [0.5], [3.0]], np.float32), np.array([1.0], np.float32)])
    model.export(path, verbose=False)
    baseline = [0.5, 0.5, 0.5, 0.5]
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"data": {"input_tensor_name": "serving_default_x:0", "input_baselines": [baseline]}},
        "outputs": {"duration": {"output_tensor_name": signature_tensor(path, "output_0")}},
        "framework": "tensorflow",
    })
    instances = [[1.0, 2.0, 3.0, 4.0], [0.0, -1.0, 2.5, 0.25]]
    write_json(os.path.join(path, "expected.json"), {
        "weights": [2.0, -1.0, 0.5, 3.0], "bias": 1.0, "baseline": baseline,
        "instances": instances,
        "predictions": tolist(model(np.array(instances, np.float32))),
    })


def tabular_classifier():
    """A small MLP with a 3-way softmax: explains the top class."""
    path = fresh("tabular_classifier")
    inp = keras.Input(shape=(5,), name="features")
    h = keras.layers.Dense(16, activation="tanh")(inp)
    out = keras.layers.Dense(3, activation="softmax", name="probs")(h)
    model = keras.Model(inp, out)
    model.export(path, verbose=False)
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"features": {"input_tensor_name": "serving_default_features:0", "input_baselines": [0.0]}},
        "outputs": {"probabilities": {"output_tensor_name": signature_tensor(path, "output_0"),
                                      "index_name_mapping": ["setosa", "versicolor", "virginica"]}},
        "framework": "tensorflow",
    })
    instances = [[0.3, -1.2, 2.0, 0.7, -0.4], [1.5, 0.2, -0.8, -1.1, 0.9]]
    expected = []
    for x in instances:
        probs = model(np.array([x], np.float32)).numpy()[0]
        label = int(np.argmax(probs))
        attr, base, ex = trapezoid_ig(lambda p: model(p)[:, label], np.array(x, np.float32), 0.0)
        expected.append({"label_index": label, "attributions": tolist(attr),
                         "baseline_score": base, "example_score": ex})
    write_json(os.path.join(path, "expected.json"), {"instances": instances, "explanations": expected,
                                                     "predictions": tolist(model(np.array(instances, np.float32)))})


def two_inputs():
    """Two named inputs, y = wa.a + wb.b + c: closed form per input."""
    path = fresh("two_inputs")
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    da = keras.layers.Dense(1, use_bias=False, name="wa")
    db = keras.layers.Dense(1, name="wb")
    model = keras.Model({"a": a, "b": b}, keras.layers.Add(name="y")([da(a), db(b)]))
    da.set_weights([np.array([[1.5], [-2.0], [0.25]], np.float32)])
    db.set_weights([np.array([[4.0], [-0.5]], np.float32), np.array([0.75], np.float32)])
    model.export(path, verbose=False)
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {
            "a": {"input_tensor_name": "serving_default_a:0", "input_baselines": [[0.0, 1.0, 0.0]]},
            "b": {"input_tensor_name": "serving_default_b:0"},
        },
        "outputs": {"y": {"output_tensor_name": signature_tensor(path, "output_0")}},
        "framework": "tensorflow",
    })
    write_json(os.path.join(path, "expected.json"), {
        "wa": [1.5, -2.0, 0.25], "wb": [4.0, -0.5], "bias": 0.75,
        "baseline_a": [0.0, 1.0, 0.0], "baseline_b": [0.0, 0.0],
    })


def small_cnn():
    inp = keras.Input(shape=(32, 32, 3), name="image")
    h = keras.layers.Conv2D(8, 3, activation="relu", padding="same")(inp)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(8, 3, activation="tanh", padding="same")(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    out = keras.layers.Dense(4, activation="softmax", name="probs")(h)
    return keras.Model(inp, out)


def sample_image(seed=3):
    """A deterministic 32x32 RGB test picture: a bright square on a gradient."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:32, 0:32]
    img = np.stack([x / 31.0, y / 31.0, 0.5 * np.ones_like(x, dtype=np.float64)], -1)
    img[8:20, 10:24, :] = [0.95, 0.85, 0.1]
    img += rng.normal(0, 0.03, img.shape)
    return np.clip(img, 0, 1).astype(np.float32)


def image_expected(cnn, image):
    probs, label = top_label(cnn, image)
    attr, base, ex = trapezoid_ig(lambda p: cnn(p)[:, label], image, 0.0)
    return {"label_index": label, "attributions": tolist(attr), "baseline_score": base, "example_score": ex,
            "probabilities": tolist(probs)}


def cnn_image(cnn, image):
    """Image classifier on float RGB in [0, 1]; modality image."""
    path = fresh("cnn_image")
    cnn.export(path, verbose=False)
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"image": {"input_tensor_name": "serving_default_image:0", "input_baselines": [0.0],
                             "modality": "image"}},
        "outputs": {"probs": {"output_tensor_name": signature_tensor(path, "output_0")}},
        "framework": "tensorflow",
    })
    pixels = np.round(image * 255.0) / 255.0  # what a client sends as 0..255 integers, rescaled
    write_json(os.path.join(path, "expected.json"), {"image": tolist(pixels), **image_expected(cnn, pixels.astype(np.float32))})


def decode_images(image_bytes):
    """JPEG bytes [batch] -> float images [batch, 32, 32, 3] in [0, 1], inside the graph."""
    def decode(b):
        img = tf.io.decode_jpeg(b, channels=3)
        img = tf.image.resize(tf.cast(img, tf.float32) / 255.0, [32, 32])
        return tf.ensure_shape(img, [32, 32, 3])
    images = tf.map_fn(decode, image_bytes, fn_output_signature=tf.TensorSpec([32, 32, 3], tf.float32))
    return tf.identity(images, name="decoded_image")


def jpeg_cnn(cnn, image):
    path = fresh("jpeg_cnn")
    # Keras' ExportArchive (not a bare tf.Module) so that Keras 3 variables are restored by the C++ loader.
    archive = keras.export.ExportArchive()
    archive.track(cnn)
    archive.add_endpoint(name="serving_default",
                         fn=lambda image_bytes: {"probs": cnn(decode_images(image_bytes))},
                         input_signature=[tf.TensorSpec([None], tf.string, name="image_bytes")])
    archive.write_out(path, verbose=False)
    buf = io.BytesIO()
    Image.fromarray((image * 255).round().astype(np.uint8)).save(buf, format="JPEG", quality=95)
    jpeg = buf.getvalue()
    with open(os.path.join(path, "sample.jpg"), "wb") as f:
        f.write(jpeg)
    decoded = tf.image.resize(tf.cast(tf.io.decode_jpeg(jpeg, channels=3), tf.float32) / 255.0, [32, 32]).numpy()
    write_json(os.path.join(path, "explanation_metadata.json"), {
        # The signature wrapper calls serve(): the decoded image sits two calls deep, named as TF inlines it.
        "inputs": {"image": {"input_tensor_name": "StatefulPartitionedCall/StatefulPartitionedCall/decoded_image:0",
                             "input_baselines": [0.0], "modality": "image"}},
        "outputs": {"probs": {"output_tensor_name": signature_tensor(path, "probs")}},
        "framework": "tensorflow",
    })
    write_json(os.path.join(path, "expected.json"), {"decoded": tolist(decoded), **image_expected(cnn, decoded)})


def mobilenet():
    """A real architecture (MobileNetV2, alpha 0.35, 96x96, random weights: nothing downloaded): depthwise
    convolutions, batch norm and ReLU6 inside nested Keras functions. Used by the parity test and the benchmark."""
    path = fresh("mobilenet_v2")
    model = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=10,
                                           classifier_activation="softmax")
    # Freshly initialised, its output ignores the input (uniform 0.1): a short fit on a toy task (which quadrant
    # is brightest) makes the input matter, so attributions are far from zero.
    data_rng = np.random.default_rng(5)
    xs = data_rng.uniform(0, 1, (256, 96, 96, 3)).astype(np.float32) * 0.5
    ys = data_rng.integers(0, 4, 256)
    for i, q in enumerate(ys):
        r, c = divmod(int(q), 2)
        xs[i, r * 48:(r + 1) * 48, c * 48:(c + 1) * 48, :] += 0.5
    for layer in model.layers:  # let batch-norm statistics catch up within this short fit
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.5
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    model.fit(xs, ys, epochs=4, batch_size=32, verbose=0)
    model.export(path, verbose=False)
    rng = np.random.default_rng(11)
    image = np.clip(rng.normal(0.35, 0.15, (96, 96, 3)), 0, 1).astype(np.float32)
    image[48:, :48, :] = np.clip(image[48:, :48, :] + 0.5, 0, 1)  # bright lower-left quadrant
    image = np.round(image * 255.0) / 255.0
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"image": {"input_tensor_name": only_signature_input(path), "input_baselines": [0.0],
                             "modality": "image"}},
        "outputs": {"probs": {"output_tensor_name": signature_tensor(path, "output_0")}},
        "framework": "tensorflow",
    })
    exp = image_expected(model, image.astype(np.float32))
    exp["attributions"] = [float(f"{v:.6g}") for v in np.asarray(exp["attributions"]).ravel()]  # flat, compact
    write_json(os.path.join(path, "expected.json"), {"image_uint8": (image * 255).round().astype(int).tolist(), **exp})


def resnet50():
    """Benchmark only, not committed (98 MB of weights): ResNet-50 at 224x224 with random weights (nothing
    downloaded), the cost of a production image model (about 4 GFLOPs forward), for tools/bench/throughput.py, which
    makes it under ~/.cache/explainable-serving/bench-models when asked for it. Its softmax is near uniform, so only
    the throughput matters, not what the attributions show."""
    path = fresh("resnet50")
    model = keras.applications.ResNet50(input_shape=(224, 224, 3), weights=None, classes=1000,
                                        classifier_activation="softmax")
    model.export(path, verbose=False)
    rng = np.random.default_rng(13)
    image = np.round(rng.uniform(0, 1, (224, 224, 3)) * 255.0) / 255.0
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"image": {"input_tensor_name": only_signature_input(path), "input_baselines": [0.0],
                             "modality": "image"}},
        "outputs": {"probs": {"output_tensor_name": signature_tensor(path, "output_0")}},
        "framework": "tensorflow",
    })
    probs, label = top_label(model, image.astype(np.float32))
    # the score only (the benchmark checks the top class and the example score): no 51-point IG at export
    write_json(os.path.join(path, "expected.json"), {"image_uint8": (image * 255).round().astype(int).tolist(),
                                                    "label_index": label, "example_score": float(probs[label]),
                                                    "probabilities": tolist(probs)})


def export_image_classifier(path, model):
    """Exports a model from the input "image" to "probs" into path, with its explanation_metadata.json (the input an
    image)."""
    model.export(path, verbose=False)
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"image": {"input_tensor_name": only_signature_input(path), "modality": "image"}},
        "outputs": {"probs": {"output_tensor_name": signature_tensor(path, "output_0")}},
        "framework": "tensorflow",
    })


def fcn_image():
    """A small fully convolutional classifier with free spatial size: explains 224x224 images in the XRAI
    benchmark without committing a big model."""
    path = fresh("fcn_image")
    inp = keras.Input(shape=(None, None, 3), name="image")
    h = keras.layers.Conv2D(16, 3, strides=2, activation="relu", padding="same")(inp)
    h = keras.layers.Conv2D(32, 3, strides=2, activation="relu", padding="same")(h)
    h = keras.layers.Conv2D(64, 3, strides=2, activation="relu", padding="same")(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inp, keras.layers.Dense(5, activation="softmax", name="probs")(h))
    export_image_classifier(path, model)


def valid_fcn_image():
    """Free spatial size with VALID-padding convolutions: a 1x1 input cannot pass them (a 5x5 kernel needs at
    least 5x5), so it loads only if the warm-up gives free dimensions a real size."""
    path = fresh("valid_fcn_image")
    inp = keras.Input(shape=(None, None, 3), name="image")
    h = keras.layers.Conv2D(8, 5, strides=2, activation="relu", padding="valid")(inp)
    h = keras.layers.Conv2D(8, 5, strides=2, activation="relu", padding="valid")(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax", name="probs")(h))
    export_image_classifier(path, model)


def exact_shapley(fn, x, baseline):
    """Exact Shapley values of fn by enumerating the coalitions of the elements where x differs from the baseline
    (every other element is a dummy player: switching it changes nothing, so its value is 0)."""
    x = np.asarray(x, np.float32)
    baseline = np.broadcast_to(np.asarray(baseline, np.float32), x.shape)
    active = [i for i in range(x.size) if x.flat[i] != baseline.flat[i]]
    n = len(active)
    points = []
    for s in range(1 << n):
        p = baseline.copy().reshape(-1)
        for j, i in enumerate(active):
            if s & (1 << j):
                p[i] = x.flat[i]
        points.append(p.reshape(x.shape))
    f = fn(np.stack(points)).numpy().astype(np.float64)
    from math import factorial
    phi = np.zeros(x.size)
    for j, i in enumerate(active):
        for s in range(1 << n):
            if not s & (1 << j):
                k = bin(s).count("1")
                phi[i] += factorial(k) * factorial(n - k - 1) / factorial(n) * (f[s | (1 << j)] - f[s])
    return phi.reshape(x.shape)


def export_sequence_classifier(path, model, **input_settings):
    """Exports a model from the input "sequence" to the 2-way softmax "probs" (labels negative, positive) into path,
    with its explanation_metadata.json; input_settings are more keys of the input's metadata."""
    model.export(path, verbose=False)
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"sequence": {"input_tensor_name": only_signature_input(path), **input_settings}},
        "outputs": {"probs": {"output_tensor_name": signature_tensor(path, "output_0"),
                              "index_name_mapping": ["negative", "positive"]}},
        "framework": "tensorflow",
    })


def recurrent_lstm():
    """A Keras LSTM over a float sequence [8, 3] -> 2-way softmax. Its While loop and TensorList ops have no
    gradient in TensorFlow's C++ registry; the runtime unrolls the loop at load time (8 steps, a fixed length), so IG
    and XRAI serve it, checked against the GradientTape IG kept in expected.json; Sampled Shapley serves it forward."""
    path = fresh("recurrent_lstm")
    inp = keras.Input(shape=(8, 3), name="sequence")
    h = keras.layers.LSTM(4, name="lstm")(inp)
    out = keras.layers.Dense(2, activation="softmax", name="probs")(h)
    model = keras.Model(inp, out)
    export_sequence_classifier(path, model)
    # few elements away from the zero baseline, so exact Shapley values are cheap to enumerate
    x = np.zeros((8, 3), np.float32)
    x[1, 0], x[4, 2], x[6, 1], x[7, 0] = 1.5, -2.0, 0.75, 1.0
    probs, label = top_label(model, x)
    shapley = exact_shapley(lambda p: model(p)[:, label], x, 0.0)
    ig, base, ex = trapezoid_ig(lambda p: model(p)[:, label], x, 0.0)
    write_json(os.path.join(path, "expected.json"), {
        "instance": tolist(x), "label_index": label, "probabilities": tolist(probs),
        "shapley": tolist(shapley), "ig_attributions": tolist(ig), "baseline_score": base, "example_score": ex,
    })
    recurrent_lstm_dense()


def dense_sequence(seed, shape=(8, 3)):
    """A dense random sequence: every element at least 0.1 away from the zero baseline (so every attribution is
    nonzero), with two decimals, so the JSON numbers parse back to exactly the float32 values used here."""
    x = np.random.default_rng(seed).normal(size=shape)
    x = np.where(np.abs(x) < 0.1, np.where(x < 0, -0.1, 0.1) + x, x)
    return np.round(x, 2).astype(np.float32)


def recurrent_lstm_dense():
    """Adds a DENSE-instance IG reference to recurrent_lstm/expected.json (keys dense_*), computed with GradientTape
    through the COMMITTED SavedModel's serving signature (tf.saved_model.load): the model is not rebuilt, its
    weights and every other key of expected.json stay as they are."""
    path = os.path.join(OUT, "recurrent_lstm")
    loaded = tf.saved_model.load(path)  # kept referenced: the signature needs its variables alive
    fn = loaded.signatures["serving_default"]
    (in_name,) = fn.structured_input_signature[1].keys()
    (out_name,) = fn.structured_outputs.keys()

    def model(p):
        return fn(**{in_name: tf.convert_to_tensor(p, tf.float32)})[out_name]

    x = dense_sequence(101)
    probs, label = top_label(model, x)
    ig, base, ex = trapezoid_ig(lambda p: model(p)[:, label], x, 0.0)
    with open(os.path.join(path, "expected.json")) as f:
        expected = json.load(f)
    expected.update({"dense_instance": tolist(x), "dense_label_index": label, "dense_probabilities": tolist(probs),
                     "dense_ig_attributions": tolist(ig), "dense_baseline_score": base, "dense_example_score": ex})
    write_json(os.path.join(path, "expected.json"), expected)


def recurrent_classifier(name, recurrent, seed):
    """keras.Input [8, 3] named "sequence" -> recurrent(...) -> Dense(2, softmax) "probs", exported with
    model.export, with its own seed (the same weights whether made alone or with every model). expected.json: two
    dense random instances (the first at top level, both under "explanations"), their probabilities and GradientTape
    IG (trapezoid, STEPS intervals, zero baseline) for the top class."""
    keras.utils.set_random_seed(seed)
    path = fresh(name)
    inp = keras.Input(shape=(8, 3), name="sequence")
    out = keras.layers.Dense(2, activation="softmax", name="probs")(recurrent(inp))
    model = keras.Model(inp, out)
    export_sequence_classifier(path, model, input_baselines=[0.0])
    explanations = []
    for k in range(2):
        x = dense_sequence(seed * 10 + k)
        probs, label = top_label(model, x)
        ig, base, ex = trapezoid_ig(lambda p: model(p)[:, label], x, 0.0)
        explanations.append({"instance": tolist(x), "label_index": label, "probabilities": tolist(probs),
                             "ig_attributions": tolist(ig), "baseline_score": base, "example_score": ex})
    write_json(os.path.join(path, "expected.json"), {**explanations[0], "explanations": explanations})


def recurrent_gru():
    """A Keras GRU(4) (reset_after, Keras' default) over [8, 3]: one While loop."""
    recurrent_classifier("recurrent_gru", lambda x: keras.layers.GRU(4, name="gru")(x), 21)


def recurrent_simple_rnn():
    """A Keras SimpleRNN(4) (tanh) over [8, 3]: one While loop."""
    recurrent_classifier("recurrent_simple_rnn", lambda x: keras.layers.SimpleRNN(4, name="simple_rnn")(x), 22)


def recurrent_bidirectional():
    """Bidirectional(LSTM(3)) over [8, 3]: two While loops, the backward one on the reversed sequence
    (go_backwards), outputs concatenated."""
    recurrent_classifier("recurrent_bidirectional",
                         lambda x: keras.layers.Bidirectional(keras.layers.LSTM(3), name="bidirectional")(x), 23)


def recurrent_stacked():
    """LSTM(4, return_sequences=True) -> GRU(3) over [8, 3]: two While loops, the first writing every step."""
    recurrent_classifier("recurrent_stacked", lambda x: keras.layers.GRU(3, name="gru")(
        keras.layers.LSTM(4, return_sequences=True, name="lstm")(x)), 24)


def row_image(seed=5):
    """A deterministic 12x12 grey test picture: a vertical gradient, a bright diagonal bar and a dark block, with
    a little noise, on the 0..255 grid (what a client sends as integers, rescaled)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:12, 0:12]
    img = 0.2 + 0.4 * y / 11.0
    img[np.abs(x - y) <= 1] = 0.9
    img[7:10, 1:4] = 0.05
    img = np.clip(img + rng.normal(0, 0.03, img.shape), 0, 1)[..., None]
    return (np.round(img * 255.0) / 255.0).astype(np.float32)


def recurrent_image_rows():
    """An image [12, 12, 1] read row by row: Reshape to a sequence of 12 rows of 12 -> LSTM(6) -> Dense(3,
    softmax); modality image, for IG and XRAI on images through a While loop (tools/make-reference-fixtures.py
    adds PAIR saliency's IG and XRAI for it)."""
    keras.utils.set_random_seed(25)
    path = fresh("recurrent_image_rows")
    inp = keras.Input(shape=(12, 12, 1), name="image")
    h = keras.layers.LSTM(6, name="lstm")(keras.layers.Reshape((12, 12), name="rows")(inp))
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax", name="probs")(h))
    model.export(path, verbose=False)
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"image": {"input_tensor_name": only_signature_input(path), "input_baselines": [0.0],
                             "modality": "image"}},
        "outputs": {"probs": {"output_tensor_name": signature_tensor(path, "output_0")}},
        "framework": "tensorflow",
    })
    image = row_image()
    write_json(os.path.join(path, "expected.json"), {"image": tolist(image), **image_expected(model, image)})


def tf1_example_parser():
    """An estimator-era TF1 graph (v1 SavedModelBuilder): serialized tf.Example strings parsed inside the graph,
    then a small tanh MLP with variables; explained through the parsed float tensor."""
    path = fresh("tf1_example_parser")
    rng = np.random.default_rng(11)
    w1 = rng.normal(size=(4, 6)).astype(np.float32)
    b1 = rng.normal(size=(6,)).astype(np.float32) * 0.1
    w2 = rng.normal(size=(6, 3)).astype(np.float32)
    b2 = rng.normal(size=(3,)).astype(np.float32) * 0.1
    graph = tf.Graph()
    with graph.as_default():
        examples = tf.compat.v1.placeholder(tf.string, shape=[None], name="examples")
        parsed = tf.io.parse_example(examples, {"measurements": tf.io.FixedLenFeature([4], tf.float32)})
        x = tf.identity(parsed["measurements"], name="measurements")
        v1 = tf.compat.v1.get_variable("w1", initializer=w1)
        c1 = tf.compat.v1.get_variable("b1", initializer=b1)
        v2 = tf.compat.v1.get_variable("w2", initializer=w2)
        c2 = tf.compat.v1.get_variable("b2", initializer=b2)
        scores = tf.nn.softmax(tf.matmul(tf.tanh(tf.matmul(x, v1) + c1), v2) + c2, name="scores")
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.Builder(path)
            sig = tf.compat.v1.saved_model.predict_signature_def({"examples": examples}, {"scores": scores})
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": sig})
            builder.save()
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"measurements": {"input_tensor_name": "measurements:0",
                                    "index_feature_mapping": ["sepal_length", "sepal_width", "petal_length",
                                                              "petal_width"]}},
        "outputs": {"scores": {"output_tensor_name": "scores:0",
                               "index_name_mapping": ["setosa", "versicolor", "virginica"]}},
        "framework": "tensorflow",
    })

    def fn(p):
        return tf.nn.softmax(tf.matmul(tf.tanh(tf.matmul(p, w1) + b1), w2) + b2)

    instances = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]
    expected = []
    for v in instances:
        serialized = tf.train.Example(features=tf.train.Features(feature={
            "measurements": tf.train.Feature(float_list=tf.train.FloatList(value=v))})).SerializeToString()
        probs = fn(np.array([v], np.float32)).numpy()[0]
        label = int(np.argmax(probs))
        attr, base, ex = trapezoid_ig(lambda p: fn(p)[:, label], np.array(v, np.float32), 0.0)
        import base64
        expected.append({"b64": base64.b64encode(serialized).decode(), "label_index": label,
                         "attributions": tolist(attr), "baseline_score": base, "example_score": ex})
    write_json(os.path.join(path, "expected.json"), {"instances": instances, "explanations": expected})


def inner_tensor(model_dir, op_types, name_part):
    """The name the runtime resolves for a tensor inside the functions of serving_default (call/.../node:0): the
    first node of one of `op_types` whose name contains `name_part`, found by walking from the signature's output
    call into nested calls."""
    from tensorflow.core.protobuf import saved_model_pb2
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(model_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    graph = sm.meta_graphs[0].graph_def
    library = {fn.signature.name: fn for fn in graph.library.function}
    out = sm.meta_graphs[0].signature_def["serving_default"].outputs["output_0"].name.split(":")[0]
    outer = {n.name: n for n in graph.node}

    def search(fn_name, prefix):
        for node in library[fn_name].node_def:
            if node.op in op_types and name_part in node.name:
                return prefix + node.name + ":0"
            if node.op in ("StatefulPartitionedCall", "PartitionedCall"):
                found = search(node.attr["f"].func.name, prefix + node.name + "/")
                if found:
                    return found
        return None

    return search(outer[out].attr["f"].func.name, out + "/")


def text_embedding():
    """A token-id text classifier: int32 ids [6] -> Embedding(20, 4) -> average -> 3-way softmax. Explained with
    concat_embedding: attributions on the embedding output, one per token (the sum over its embedding)."""
    path = fresh("text_embedding")
    inp = keras.Input(shape=(6,), dtype="int32", name="tokens")
    embedding = keras.layers.Embedding(20, 4, name="embedding")
    pooled = keras.layers.GlobalAveragePooling1D(name="pool")(embedding(inp))
    out = keras.layers.Dense(3, activation="softmax", name="probs")(pooled)
    model = keras.Model(inp, out)
    model.export(path, verbose=False)
    encoded = inner_tensor(path, ("ResourceGather", "GatherV2"), "embedding")
    vocabulary = ["<pad>", "the", "film", "was", "not", "good", "bad", "great", "boring", "plot", "acting", "very",
                  "fun", "slow", "and", "but", "a", "story", "long", "loved"]
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"tokens": {"input_tensor_name": only_signature_input(path), "encoding": "concat_embedding",
                              "encoded_tensor_name": encoded, "modality": "text"}},
        "outputs": {"sentiment": {"output_tensor_name": signature_tensor(path, "output_0"),
                                  "index_name_mapping": ["negative", "neutral", "positive"]}},
        "framework": "tensorflow",
    })
    head = keras.Sequential([model.get_layer("pool"), model.get_layer("probs")])
    instances = [[1, 2, 3, 4, 5, 0], [16, 17, 3, 11, 12, 19]]
    expected = []
    for ids in instances:
        emb = embedding(np.array([ids], np.int32)).numpy()[0]
        probs = model(np.array([ids], np.int32)).numpy()[0]
        label = int(np.argmax(probs))
        attr, base, ex = trapezoid_ig(lambda p: head(p)[:, label], emb, 0.0)
        expected.append({"tokens": ids, "words": [vocabulary[i] for i in ids], "label_index": label,
                         "attributions": tolist(attr.sum(axis=-1)), "baseline_score": base, "example_score": ex})
    write_json(os.path.join(path, "expected.json"), {"encoded_tensor_name": encoded, "explanations": expected})


def recurrent_variable_length():
    """An LSTM over sequences of any length ([None, 3]): the loop's trip count comes from the request's shape, so it
    cannot be unrolled at load time. Gradient methods are refused with the reason; Sampled Shapley serves it.
    expected.json: a 5-step instance with few non-zero elements and its exact Shapley values."""
    keras.utils.set_random_seed(26)
    path = fresh("recurrent_variable_length")
    inp = keras.Input(shape=(None, 3), name="sequence")
    out = keras.layers.Dense(2, activation="softmax", name="probs")(keras.layers.LSTM(4, name="lstm")(inp))
    model = keras.Model(inp, out)
    export_sequence_classifier(path, model)
    x = np.zeros((5, 3), np.float32)
    x[0, 1], x[2, 0], x[3, 2], x[4, 1] = 1.25, -1.5, 2.0, 0.5
    probs, label = top_label(model, x)
    shapley = exact_shapley(lambda p: model(p)[:, label], x, 0.0)
    write_json(os.path.join(path, "expected.json"), {
        "instance": tolist(x), "label_index": label, "probabilities": tolist(probs), "shapley": tolist(shapley),
        "example_score": float(probs[label]),
    })

def sparse_bag():
    """A bag of terms sent as a SparseTensor (tf.SparseTensorSpec [None, 8], float32 weights): TensorFlow 2.18 exports
    the argument `bag` as three signature inputs, `bag` (indices, int64 [None, 2]), `bag_1` (values, float32 [None])
    and `bag_2` (dense_shape, int64 [2]). The body multiplies the SparseTensor with a weight matrix
    (SparseTensorDenseMatMul) and densifies it for a second path (SparseToDense): two ops without a C++ gradient,
    which the runtime supplies. Plain tf.Variables in a tf.Module (Keras 3 layers in a bare tf.Module are not restored
    by the C++ loader). Explained as bag_of_features_sparse on the values: IG with GradientTape on the stored
    values (one attribution each, zero baseline), and exact Shapley values over the stored values."""
    path = fresh("sparse_bag")
    terms = ["fast", "cheap", "reliable", "slow", "pricey", "broken", "support", "refund"]
    rng = np.random.default_rng(17)

    class SparseBag(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(rng.normal(size=(len(terms), 6)).astype(np.float32), name="w")
            self.b = tf.Variable(rng.normal(size=(6,)).astype(np.float32) * 0.1, name="b")
            self.skip = tf.Variable(rng.normal(size=(len(terms), 3)).astype(np.float32) * 0.3, name="skip")
            self.head = tf.Variable(rng.normal(size=(6, 3)).astype(np.float32), name="head")

        def scores(self, bag):
            h = tf.tanh(tf.sparse.sparse_dense_matmul(bag, self.w) + self.b)
            squares = tf.square(tf.sparse.to_dense(bag))
            return tf.nn.softmax(tf.matmul(h, self.head) + tf.matmul(squares, self.skip))

        @tf.function(input_signature=[tf.SparseTensorSpec(shape=[None, len(terms)], dtype=tf.float32)])
        def serve(self, bag):
            return {"probs": self.scores(bag)}

    module = SparseBag()
    tf.saved_model.save(module, path, signatures={"serving_default": module.serve})
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"terms": {"input_tensor_name": signature_tensor(path, "bag_1", outputs=False),
                             "indices_tensor_name": signature_tensor(path, "bag", outputs=False),
                             "dense_shape_tensor_name": signature_tensor(path, "bag_2", outputs=False),
                             "encoding": "bag_of_features_sparse", "index_feature_mapping": terms,
                             "input_baselines": [0.0]}},
        "outputs": {"sentiment": {"output_tensor_name": signature_tensor(path, "probs"),
                                  "index_name_mapping": ["complaint", "neutral", "praise"]}},
        "framework": "tensorflow",
    })

    def batch(columns, values):
        """k rows of the same stored columns: values [k, nnz] -> a SparseTensor [k, 8]."""
        values = tf.convert_to_tensor(values, tf.float32)
        k, nnz = values.shape
        rows = np.repeat(np.arange(k), nnz)
        cols = np.tile(np.asarray(columns), k)
        indices = np.stack([rows, cols], 1).astype(np.int64)
        return tf.SparseTensor(indices, tf.reshape(values, [-1]), [k, len(terms)])

    instances = [([0, 2, 5], [1.0, 2.0, 0.5]), ([1, 3, 4, 7], [0.7, 1.5, -0.8, 1.2]), ([6], [2.0])]
    expected = []
    for columns, values in instances:
        x = np.array(values, np.float32)
        probs = module.scores(batch(columns, x[None])).numpy()[0]
        label = int(np.argmax(probs))
        fn = lambda p: module.scores(batch(columns, p))[:, label]  # noqa: E731
        attr, base, ex = trapezoid_ig(fn, x, 0.0)
        shapley = exact_shapley(fn, x, 0.0)
        expected.append({"indices": [[c] for c in columns], "values": values, "label_index": label,
                         "probabilities": tolist(probs), "attributions": tolist(attr),
                         "features": [terms[c] for c in columns], "shapley": tolist(shapley),
                         "baseline_score": base, "example_score": ex})
    rows = [(r, c, v) for r, (columns, values) in enumerate(instances) for c, v in zip(columns, values)]
    together = tf.SparseTensor([[r, c] for r, c, _ in rows], [v for _, _, v in rows], [len(instances), len(terms)])
    write_json(os.path.join(path, "expected.json"), {"explanations": expected,
                                                     "predictions": tolist(module.scores(together))})


def embedding_classifier():
    """A tabular MLP with two outputs: `embedding` (16 tanh units, the latent space of example-based explanations)
    and `probabilities` (3-way softmax over it). Vertex metadata names the embedding as `latentSpaceSource`.
    expected.json: instances with the embeddings and probabilities Keras gives them."""
    keras.utils.set_random_seed(31)
    path = fresh("embedding_classifier")
    inp = keras.Input(shape=(8,), name="features")
    hidden = keras.layers.Dense(32, activation="relu", name="hidden")(inp)
    embedding = keras.layers.Dense(16, activation="tanh", name="embedding")(hidden)
    probs = keras.layers.Dense(3, activation="softmax", name="probs")(embedding)
    model = keras.Model(inp, {"embedding": embedding, "probabilities": probs})
    model.export(path, verbose=False)
    write_json(os.path.join(path, "explanation_metadata.json"), {
        "inputs": {"features": {"inputTensorName": only_signature_input(path)}},
        "outputs": {"probabilities": {"outputTensorName": signature_tensor(path, "probabilities"),
                                      "indexDisplayNameMapping": ["low", "medium", "high"]}},
        "latentSpaceSource": "embedding",
    })
    rng = np.random.default_rng(31)
    instances = rng.normal(size=(4, 8)).astype(np.float32)
    out = model(instances)
    write_json(os.path.join(path, "expected.json"), {
        "instances": tolist(instances),
        "embeddings": tolist(out["embedding"]),
        "probabilities": tolist(out["probabilities"]),
    })


MODELS = ["linear_regressor", "tabular_classifier", "two_inputs", "cnn_image", "jpeg_cnn", "mobilenet",
          "fcn_image", "valid_fcn_image", "recurrent_lstm", "tf1_example_parser", "text_embedding",
          "recurrent_lstm_dense", "recurrent_gru", "recurrent_simple_rnn", "recurrent_bidirectional",
          "recurrent_stacked", "recurrent_image_rows", "recurrent_variable_length",
          "sparse_bag", "embedding_classifier"]
BENCHMARK_ONLY = ["resnet50"]  # made only when named, never with the committed models


def main():
    os.makedirs(OUT, exist_ok=True)
    only = sys.argv[2:]  # names of MODELS to regenerate; all when none
    if only:
        for name in only:
            if name not in MODELS + BENCHMARK_ONLY or name in ("cnn_image", "jpeg_cnn"):
                raise SystemExit(f"can regenerate alone: {[m for m in MODELS if m not in ('cnn_image', 'jpeg_cnn')]}")
            globals()[name]()
        print("wrote", only, "to", OUT)
        return
    linear_regressor()
    tabular_classifier()
    two_inputs()
    cnn = small_cnn()
    image = sample_image()
    cnn_image(cnn, image)
    jpeg_cnn(cnn, image)
    mobilenet()
    fcn_image()
    valid_fcn_image()
    recurrent_lstm()
    tf1_example_parser()
    text_embedding()
    # each seeds itself, after the others, so adding them changed none of the models above
    recurrent_gru()
    recurrent_simple_rnn()
    recurrent_bidirectional()
    recurrent_stacked()
    recurrent_image_rows()
    recurrent_variable_length()
    sparse_bag()
    embedding_classifier()
    print("wrote test models to", OUT)


if __name__ == "__main__":
    main()
