#!/usr/bin/env python3
"""Reference attributions from PAIR's `saliency` library (an implementation nobody here wrote).

For the committed image test models, computes with the same number of steps the Java tests use, and writes as JSON
fixtures:
- Integrated Gradients (saliency.core.IntegratedGradients, zero baseline);
- XRAI (saliency.core.XRAI, its default black and white baselines, full algorithm);
- Blur IG (saliency.core.BlurIG, max_sigma 50: saliency's default, grad_step 0.01), and Integrated Gradients on the
  straight line from the image blurred with sigma 50 (scipy's gaussian_filter, mode "constant", as BlurIG blurs);
- on cnn_image, SmoothGrad over Integrated Gradients with recorded noise: SMOOTH_SAMPLES standard normal draws
  z_k (written into the fixture, rounded to 7 digits, and used rounded), noise n_k = SMOOTH_SIGMA * z_k, and the
  mean over k of IntegratedGradients.GetMask(x + n_k, x_baseline=0 + n_k): saliency's GetSmoothedMask loop
  (magnitude=False) with the noise on every path point, the runtime's SmoothGrad. The script also prints how far
  saliency's own GetSmoothedMask (noise on the input end only) lies from it, with the same noise.
- recurrent_image_rows (an LSTM reading the image's rows: the gradients run through a While loop) gets the same
  IG, XRAI and Blur IG fixtures, no SmoothGrad.
Arguments: the models folder, the output folder, then optionally only these models (e.g. recurrent_image_rows), so
one fixture is added without regenerating the others.
The runtime's parity tests compare its IG (with explain.integration-rule=uniform, the rule saliency uses), Blur IG
and SmoothGrad within tolerances of the map's largest value, and its XRAI by the IoU of the top-10% regions. Run
through tools/make-reference-fixtures.sh; the outputs are committed.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import saliency.core as saliency  # noqa: E402
import saliency.core.blur_ig as blur_ig_module  # noqa: E402
import tensorflow as tf  # noqa: E402

MODELS = sys.argv[1] if len(sys.argv) > 1 else "runtime/src/test/resources/models"
OUT = sys.argv[2] if len(sys.argv) > 2 else "runtime/src/test/resources/reference"
STEPS = 50
BLUR_MAX_SIGMA = 50.0
SMOOTH_SAMPLES = 3
SMOOTH_SIGMA = 0.1
SMOOTH_SEED = 20260401


def rounded(a):
    return [float(f"{v:.7g}") for v in np.asarray(a).ravel()]


def image_of(model):
    exp = json.load(open(os.path.join(MODELS, model, "expected.json")))
    if "image" in exp:
        return np.array(exp["image"], np.float32)
    return np.array(exp["image_uint8"], np.float32) / 255.0


def smooth_grad_ig(image, call_model):
    """SmoothGrad over IG, zero baseline, with recorded noise on every path point (see the module's doc)."""
    rng = np.random.default_rng(SMOOTH_SEED)
    z = np.array(rounded(rng.standard_normal((SMOOTH_SAMPLES,) + image.shape)), np.float64)
    z = z.reshape((SMOOTH_SAMPLES,) + image.shape)
    ig = saliency.IntegratedGradients()
    total = np.zeros(image.shape, np.float64)
    endpoint = np.zeros(image.shape, np.float64)
    for k in range(SMOOTH_SAMPLES):
        noise = SMOOTH_SIGMA * z[k]
        total += ig.GetMask(image + noise, call_model, x_steps=STEPS, x_baseline=np.zeros_like(image) + noise,
                            batch_size=64)
        endpoint += ig.GetMask(image + noise, call_model, x_steps=STEPS, x_baseline=np.zeros_like(image),
                               batch_size=64)
    total /= SMOOTH_SAMPLES
    endpoint /= SMOOTH_SAMPLES
    plain = ig.GetMask(image, call_model, x_steps=STEPS, x_baseline=np.zeros_like(image), batch_size=64)
    scale = np.abs(total).max()
    print(f"SmoothGrad-IG, noise on every point vs on the input end only (GetSmoothedMask): "
          f"{np.abs(total - endpoint).max() / scale:.3g} of the map's largest value; vs plain IG: "
          f"{np.abs(total - plain).max() / scale:.3g}")
    return {"samples": SMOOTH_SAMPLES, "noise_sigma": SMOOTH_SIGMA, "steps": STEPS,
            "standard_normals": rounded(z), "attributions": rounded(total)}


def main():
    os.makedirs(OUT, exist_ok=True)
    models = ["cnn_image", "mobilenet_v2", "recurrent_image_rows"]
    only = sys.argv[3:]
    unknown = [m for m in only if m not in models]
    if unknown:
        raise SystemExit(f"unknown {unknown}: choose among {models}")
    for model in only or models:
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
        blur_ig = saliency.BlurIG().GetMask(image, call_model, max_sigma=BLUR_MAX_SIGMA, steps=STEPS, batch_size=64)
        blurred = blur_ig_module.gaussian_blur(image, BLUR_MAX_SIGMA)
        blur_straight = saliency.IntegratedGradients().GetMask(image, call_model, x_steps=STEPS, x_baseline=blurred,
                                                               batch_size=64)
        fixture = {"saliency_version": getattr(saliency, "__version__", "0.2.x"), "steps": STEPS,
                   "label_index": label,
                   "integrated_gradients": rounded(ig),
                   "xrai": rounded(xrai),
                   "blur_ig": {"max_sigma": BLUR_MAX_SIGMA, "steps": STEPS, "path": rounded(blur_ig),
                               "straight": rounded(blur_straight)},
                   "shape": list(image.shape)}
        if model == "cnn_image":
            fixture["smooth_grad_ig"] = smooth_grad_ig(image, call_model)
        with open(os.path.join(OUT, model + ".json"), "w") as f:
            json.dump(fixture, f)
            f.write("\n")
        print("wrote", model)


if __name__ == "__main__":
    main()
