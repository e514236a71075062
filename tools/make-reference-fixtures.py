#!/usr/bin/env python3
"""Reference attributions from PAIR's `saliency` library (an implementation nobody here wrote).

For the committed image test models, computes Integrated Gradients (saliency.core.IntegratedGradients, zero
baseline) and XRAI (saliency.core.XRAI, its default black and white baselines, full algorithm) with the same
number of steps the Java tests use, and writes them as JSON fixtures. The runtime's parity test compares its IG
(with explain.integration-rule=uniform, the rule saliency uses) within 1e-3 and its XRAI by the IoU of the top-10%
regions. Run through tools/make-reference-fixtures.sh; the outputs are committed.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import saliency.core as saliency  # noqa: E402
import tensorflow as tf  # noqa: E402

MODELS = sys.argv[1] if len(sys.argv) > 1 else "runtime/src/test/resources/models"
OUT = sys.argv[2] if len(sys.argv) > 2 else "runtime/src/test/resources/reference"
STEPS = 50


def image_of(model):
    exp = json.load(open(os.path.join(MODELS, model, "expected.json")))
    if "image" in exp:
        return np.array(exp["image"], np.float32)
    return np.array(exp["image_uint8"], np.float32) / 255.0


def main():
    os.makedirs(OUT, exist_ok=True)
    for model in ["cnn_image", "mobilenet_v2"]:
        loaded = tf.saved_model.load(os.path.join(MODELS, model))
        fn = loaded.signatures["serving_default"]
        (in_name,) = fn.structured_input_signature[1].keys()
        (out_name,) = fn.structured_outputs.keys()
        image = image_of(model)
        label = int(np.argmax(fn(**{in_name: tf.constant(image[None])})[out_name].numpy()[0]))

        def call_model(images, call_model_args=None, expected_keys=None):
            x = tf.convert_to_tensor(images, tf.float32)
            with tf.GradientTape() as tape:
                tape.watch(x)
                score = fn(**{in_name: x})[out_name][:, label]
            return {saliency.base.INPUT_OUTPUT_GRADIENTS: tape.gradient(score, x).numpy()}

        ig = saliency.IntegratedGradients().GetMask(image, call_model, x_steps=STEPS, x_baseline=np.zeros_like(image),
                                                    batch_size=64)
        params = saliency.XRAIParameters(steps=STEPS)
        xrai = saliency.XRAI().GetMask(image, call_model, extra_parameters=params, batch_size=64)
        with open(os.path.join(OUT, model + ".json"), "w") as f:
            json.dump({"saliency_version": getattr(saliency, "__version__", "0.2.x"), "steps": STEPS,
                       "label_index": label,
                       "integrated_gradients": [float(f"{v:.7g}") for v in ig.ravel()],
                       "xrai": [float(f"{v:.7g}") for v in np.asarray(xrai).ravel()],
                       "shape": list(image.shape)}, f)
            f.write("\n")
        print("wrote", model)


if __name__ == "__main__":
    main()
