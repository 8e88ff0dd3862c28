"""Keras side of ser.bench.ts: the default CNN-LSTM (parry-cnn encoder -> LSTM -> dense ReLU ->
softmax; same layers, loss, optimiser, batch and threads as the tfjs run) trained step by step.

argv[1]: JSON {batch, frames, numCeps, classes, warmup, threads, learningRate, conv, units,
lstmUnits, hiddenUnits, mode?, seqSteps?, regularised?}; mode "lstm" trains the recurrent part alone
on random bottleneck sequences [batch, seqSteps, units]. `regularised`: ser:train's recipe
regularisers: dropout .1 after each conv block, .2 on the bottleneck, recurrent dropout .1 as serx
has it (DropConnect: one mask on the recurrent kernel per batch, `WeightDropLSTM` as in
bench/reference/keras_reference.py; `kerasRecurrentDropout: true` uses Keras' `recurrent_dropout`,
a mask on h inside the loop, instead), .3 before each dense layer; L2 1e-4 on every
kernel; Adam global_clipnorm 5; class-weighted loss; SpecAugment (2 time masks <= 20 frames, 2
coefficient masks <= 5) drawn in numpy on a copy of the batch every step.
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
reg = bool(cfg.get("regularised"))
l2 = keras.regularizers.L2(1e-4) if reg else None


class WeightDropLSTMCell(layers.LSTMCell):
    """Keras' LSTM cell reading its recurrent kernel from `dropped` (the batch's masked copy) while training."""

    dropped = None

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        rk = self.dropped if training and self.dropped is not None else self.recurrent_kernel
        z = tf.matmul(inputs, self.kernel) + tf.matmul(h_tm1, rk) + self.bias
        zi, zf, zc, zo = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(zf) * c_tm1 + tf.sigmoid(zi) * tf.tanh(zc)
        h = tf.sigmoid(zo) * tf.tanh(c)
        return h, [h, c]


class WeightDropLSTM(layers.RNN):
    """serx's recurrent dropout: one DropConnect mask on the recurrent kernel per batch."""

    def __init__(self, units, rate, **kwargs):
        super().__init__(WeightDropLSTMCell(units, **kwargs))
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        cell = self.cell
        cell.dropped = None
        if training and self.rate > 0:
            keep = keras.random.uniform(tf.shape(cell.recurrent_kernel), seed=self.seed_generator) >= self.rate
            cell.dropped = cell.recurrent_kernel * tf.cast(keep, tf.float32) / (1 - self.rate)
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)


def drop(rate, x):
    return layers.Dropout(rate)(x) if reg else x


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
        x = layers.Conv2D(layer["filters"], layer["kernelSize"], strides=layer["strides"], padding="same", activation="relu", kernel_regularizer=l2)(x)
        x = drop(0.1, x)
        cepstra = -(-cepstra // layer["strides"][1])
    x = layers.Reshape((-1, cepstra * conv[-1]["filters"]))(x)
    x = layers.Dense(cfg["units"], activation="relu", name="bottleneck", kernel_regularizer=l2)(x)
x = drop(0.2, x)
if reg and not cfg.get("kerasRecurrentDropout"):
    x = WeightDropLSTM(cfg["lstmUnits"], 0.1, kernel_regularizer=l2, recurrent_regularizer=l2)(x)
else:
    x = layers.LSTM(cfg["lstmUnits"], recurrent_dropout=0.1 if reg else 0.0, kernel_regularizer=l2, recurrent_regularizer=l2)(x)
x = layers.Dense(cfg["hiddenUnits"], activation="relu", name="embedding", kernel_regularizer=l2)(drop(0.3, x))
out = layers.Dense(cfg["classes"], activation="softmax", kernel_regularizer=l2)(drop(0.3, x))
model = keras.Model(inp, out)

optimizer = keras.optimizers.Adam(cfg["learningRate"], **({"global_clipnorm": 5.0} if reg else {}))
loss_fn = keras.losses.CategoricalCrossentropy()


@tf.function
def train_step(batch, labels, weights):
    with tf.GradientTape() as tape:
        loss = loss_fn(labels, model(batch if lstm_only else batch[..., None], training=True), sample_weight=weights)
        if reg:
            loss_total = loss + tf.add_n(model.losses)
        else:
            loss_total = loss
    variables = model.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss_total, variables), variables))
    return loss


rng = np.random.default_rng(1)
shape = (cfg["batch"], cfg["seqSteps"], cfg["units"]) if lstm_only else (cfg["batch"], cfg["frames"], num_ceps)
batch = tf.constant(rng.standard_normal(shape).astype(np.float32))
classes = rng.integers(0, cfg["classes"], cfg["batch"])
labels = tf.one_hot(classes, cfg["classes"])
weights = tf.constant(np.array([1.2, 0.8, 1.0, 1.0])[classes % 4].astype(np.float32))
base = batch.numpy()


def next_batch():
    if not reg or lstm_only:
        return batch
    x = base.copy()
    frames = x.shape[1]
    for b in range(x.shape[0]):
        for _ in range(2):
            w = min(frames, int(rng.random() * 21))
            s = int(rng.random() * (frames - w + 1))
            x[b, s:s + w, :] = 0
        for _ in range(2):
            w = min(num_ceps, int(rng.random() * 6))
            s = int(rng.random() * (num_ceps - w + 1))
            x[b, :, s:s + w] = 0
    return tf.constant(x)


for _ in range(cfg["warmup"]):
    float(train_step(next_batch(), labels, weights))
print(json.dumps({"ready": True, "params": model.count_params(), "tensorflow": tf.__version__, "keras": keras.__version__}), flush=True)
for line in sys.stdin:
    steps = int(line)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        loss = float(train_step(next_batch(), labels, weights))
    print(json.dumps({"seconds": time.perf_counter() - start, "cpuSeconds": time.process_time() - cpu, "loss": loss}), flush=True)
