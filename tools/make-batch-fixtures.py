"""Writes the batch entry's TFRecord fixtures with TensorFlow's own writer (tf.io.TFRecordWriter), so that the
runtime's reader is tested on files TensorFlow wrote: images.tfrecord and images.tfrecord.gz (compression_type GZIP)
hold the same three records: the jpeg_cnn model's sample.jpg, gradient.jpg (a 32x32 JPEG TensorFlow encodes, also
written alone) and the bytes b"not an image". Usage: make-batch-fixtures.py <models dir> <output dir>."""
import os
import sys

import numpy as np
import tensorflow as tf


def main():
    models, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(models, "jpeg_cnn", "sample.jpg"), "rb") as f:
        sample = f.read()
    y, x = np.mgrid[0:32, 0:32]
    pixels = np.stack([x * 8, y * 8, (x + y) * 4], axis=-1).astype(np.uint8)
    gradient = tf.io.encode_jpeg(pixels, quality=90).numpy()
    with open(os.path.join(out, "gradient.jpg"), "wb") as f:
        f.write(gradient)
    records = [sample, gradient, b"not an image"]
    with tf.io.TFRecordWriter(os.path.join(out, "images.tfrecord")) as w:
        for r in records:
            w.write(r)
    with tf.io.TFRecordWriter(os.path.join(out, "images.tfrecord.gz"),
                              tf.io.TFRecordOptions(compression_type="GZIP")) as w:
        for r in records:
            w.write(r)
    # what TensorFlow reads back is what was written
    for name, compression in (("images.tfrecord", ""), ("images.tfrecord.gz", "GZIP")):
        read = [r.numpy() for r in tf.data.TFRecordDataset(os.path.join(out, name), compression_type=compression)]
        assert read == records, name
    print("wrote", sorted(os.listdir(out)), "to", out)


if __name__ == "__main__":
    main()
