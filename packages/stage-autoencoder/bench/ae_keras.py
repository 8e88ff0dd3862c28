"""Keras side of ae.bench.ts: the parry-cnn autoencoder (same layers, loss, optimiser, batch and
threads as the tfjs run) trained for a fixed number of steps; prints one JSON line.

argv[1]: JSON {batch, frames, numCeps, warmup, threads, sparsity, learningRate, conv, units}
Protocol: prints {"ready": ...} after warm-up, then for each stdin line N runs N steps and prints
{"seconds": ..., "cpuSeconds": ...}.
"""
import json
import os
import sys
import time

cfg = json.loads(sys.argv[1])
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(cfg["threads"])
tf.config.threading.set_inter_op_parallelism_threads(min(2, cfg["threads"]))
keras.utils.set_random_seed(1)
num_ceps, conv, units = cfg["numCeps"], cfg["conv"], cfg["units"]

inp = keras.Input(shape=(None, num_ceps, 1))
x = inp
cepstra = num_ceps
for layer in conv:
    x = layers.Conv2D(layer["filters"], layer["kernelSize"], strides=layer["strides"], padding="same", activation="relu")(x)
    cepstra = -(-cepstra // layer["strides"][1])
x = layers.Reshape((-1, cepstra * conv[-1]["filters"]))(x)
code = layers.Dense(units, activation="relu", name="bottleneck")(x)
encoder = keras.Model(inp, code)

din = keras.Input(shape=(None, units))
y = layers.Dense(cepstra * conv[-1]["filters"], activation="relu")(din)
y = layers.Reshape((-1, cepstra, conv[-1]["filters"]))(y)
for i in range(len(conv) - 1, -1, -1):
    filters = conv[i - 1]["filters"] if i > 0 else 1
    y = layers.Conv2DTranspose(filters, conv[i]["kernelSize"], strides=conv[i]["strides"], padding="same",
                               activation="relu" if i > 0 else None)(y)
y = layers.Reshape((-1, num_ceps))(y)
decoder = keras.Model(din, y)

optimizer = keras.optimizers.Adam(cfg["learningRate"])
variables = encoder.trainable_variables + decoder.trainable_variables
sparsity = cfg["sparsity"]


@tf.function
def train_step(batch):
    with tf.GradientTape() as tape:
        h = encoder(batch[..., None], training=True)
        recon = decoder(h, training=True)
        loss = tf.reduce_mean(tf.square(recon - batch)) + sparsity * tf.reduce_mean(tf.abs(h))
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return loss


rng = np.random.default_rng(1)
data = rng.standard_normal((cfg["batch"], cfg["frames"], num_ceps)).astype(np.float32)
batch = tf.constant(data)
for _ in range(cfg["warmup"]):
    float(train_step(batch))
print(json.dumps({"ready": True, "params": encoder.count_params(), "tensorflow": tf.__version__, "keras": keras.__version__}), flush=True)
# Serve timing rounds so the caller can interleave them with its own (the machine is shared).
for line in sys.stdin:
    steps = int(line)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        loss = float(train_step(batch))
    print(json.dumps({"seconds": time.perf_counter() - start, "cpuSeconds": time.process_time() - cpu, "loss": loss}), flush=True)
