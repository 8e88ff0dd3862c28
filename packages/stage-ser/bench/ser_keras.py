"""Keras side of ser.bench.ts: the default CNN-LSTM (parry-cnn encoder -> LSTM -> dense ReLU ->
softmax; same layers, loss, optimiser, batch and threads as the tfjs run) trained step by step.

argv[1]: JSON {batch, frames, numCeps, classes, warmup, threads, learningRate, conv, units,
lstmUnits, hiddenUnits, mode?, seqSteps?}; mode "lstm" trains the recurrent part alone on random
bottleneck sequences [batch, seqSteps, units].
Protocol: prints {"ready": ...} after warm-up, then for each stdin line N runs N steps and prints
{"seconds": wall, "cpuSeconds": process CPU time}.
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
num_ceps, conv = cfg["numCeps"], cfg["conv"]

lstm_only = cfg.get("mode") == "lstm"
if lstm_only:
    # The recurrent part alone: bottleneck sequences [batch, seqSteps, units].-> LSTM -> head.
    inp = keras.Input(shape=(None, cfg["units"]))
    x = inp
else:
    inp = keras.Input(shape=(None, num_ceps, 1))
    x = inp
    cepstra = num_ceps
    for layer in conv:
        x = layers.Conv2D(layer["filters"], layer["kernelSize"], strides=layer["strides"], padding="same", activation="relu")(x)
        cepstra = -(-cepstra // layer["strides"][1])
    x = layers.Reshape((-1, cepstra * conv[-1]["filters"]))(x)
    x = layers.Dense(cfg["units"], activation="relu", name="bottleneck")(x)
x = layers.LSTM(cfg["lstmUnits"])(x)
x = layers.Dense(cfg["hiddenUnits"], activation="relu", name="embedding")(x)
out = layers.Dense(cfg["classes"], activation="softmax")(x)
model = keras.Model(inp, out)

optimizer = keras.optimizers.Adam(cfg["learningRate"])
loss_fn = keras.losses.CategoricalCrossentropy()


@tf.function
def train_step(batch, labels):
    with tf.GradientTape() as tape:
        loss = loss_fn(labels, model(batch if lstm_only else batch[..., None], training=True))
    variables = model.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return loss


rng = np.random.default_rng(1)
shape = (cfg["batch"], cfg["seqSteps"], cfg["units"]) if lstm_only else (cfg["batch"], cfg["frames"], num_ceps)
batch = tf.constant(rng.standard_normal(shape).astype(np.float32))
labels = tf.one_hot(rng.integers(0, cfg["classes"], cfg["batch"]), cfg["classes"])
for _ in range(cfg["warmup"]):
    float(train_step(batch, labels))
print(json.dumps({"ready": True, "params": model.count_params(), "tensorflow": tf.__version__, "keras": keras.__version__}), flush=True)
for line in sys.stdin:
    steps = int(line)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        loss = float(train_step(batch, labels))
    print(json.dumps({"seconds": time.perf_counter() - start, "cpuSeconds": time.process_time() - cpu, "loss": loss}), flush=True)
