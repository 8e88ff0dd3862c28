"""Keras side of `npm run bench -- e2e` for `autoencoder:pretrain`: the parry-cnn sparse autoencoder
trained on serx's own unlabelled feature stores with the stage's recipe, for a timing comparison.

argv[1]: JSON {stores: [dir], seed, threads, structure: <serx structure.json>, params: <the
autoencoder:pretrain params serx hashed>}. Prints one JSON line when the data is read
({"ready", "train", "validation"}), then one per epoch ({"epoch", "loss", "val_loss", "seconds"}) and a
last one {"done", "epochs", "bestEpoch", "seconds", "cpuSeconds", "heldOutMse"} (training only: after
the data is read, up to the final held-out evaluation).

Recipe, mirrored from the stage (autoencoder:pretrain / trainer.ts): a seeded held-out slice of
`validationFraction` of the utterances; length-bucketed batches (pools of 32 batches sorted by
length, batches shuffled); zero padding to >= minFrames and a multiple of lcm(time stride,
padMultiple); random crop to maxFrames; loss = MSE over the real frames + sparsity x mean |code|
over the real bottleneck steps; Adam; the held-out loss every epoch, early stopping after
`patience` epochs without an improvement of more than minDelta, best weights restored; one more
held-out evaluation at the end (the stage's reconstruction metrics).
"""

import json
import math
import os
import sys
import time
from pathlib import Path

cfg = json.loads(sys.argv[1])
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(cfg["threads"])
tf.config.threading.set_inter_op_parallelism_threads(min(2, cfg["threads"]))

p = cfg["params"]
structure = cfg["structure"]
sp = structure["params"]
num_ceps, units, time_stride = structure["numCeps"], structure["units"], structure["timeStride"]
conv = sp["conv"]
activation = sp.get("activation", "relu")
seed = cfg["seed"]


def read_store(d):
    d = Path(d)
    dims = json.loads((d / "meta.json").read_text())["dims"]
    shards, rows = {}, []
    for line in (d / "index.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if r["shard"] not in shards:
            shards[r["shard"]] = np.memmap(d / f"shard-{r['shard']:05d}.f32", dtype="<f4", mode="r")
        rows.append(np.asarray(shards[r["shard"]][r["offset"]: r["offset"] + r["frames"] * dims]).reshape(r["frames"], dims))
    return rows


def build():
    init = lambda: keras.initializers.GlorotUniform(seed=seed)  # noqa: E731
    inp = keras.Input(shape=(None, num_ceps, 1))
    x, cepstra = inp, num_ceps
    for c in conv:
        x = layers.Conv2D(c["filters"], c["kernelSize"], strides=c["strides"], padding="same", activation=activation,
                          kernel_initializer=init())(x)
        cepstra = -(-cepstra // c["strides"][1])
    x = layers.Reshape((-1, cepstra * conv[-1]["filters"]))(x)
    code = layers.Dense(units, activation=sp.get("bottleneckActivation", "relu"), kernel_initializer=init())(x)
    encoder = keras.Model(inp, code)
    din = keras.Input(shape=(None, units))
    y = layers.Dense(cepstra * conv[-1]["filters"], activation=activation, kernel_initializer=init())(din)
    y = layers.Reshape((-1, cepstra, conv[-1]["filters"]))(y)
    for i in range(len(conv) - 1, -1, -1):
        y = layers.Conv2DTranspose(conv[i - 1]["filters"] if i > 0 else 1, conv[i]["kernelSize"], strides=conv[i]["strides"],
                                   padding="same", activation=activation if i > 0 else None, kernel_initializer=init())(y)
    if y.shape[2] > num_ceps:
        y = layers.Cropping2D(((0, 0), (0, y.shape[2] - num_ceps)))(y)
    y = layers.Reshape((-1, num_ceps))(y)
    return encoder, keras.Model(din, y)


rows = [r for d in cfg["stores"] for r in read_store(d)]
rng = np.random.default_rng(seed)
held = max(1, round(len(rows) * p["validationFraction"])) if p["validationFraction"] > 0 and len(rows) > 1 else 0
order = rng.permutation(len(rows))
validation, train = order[:held], order[held:]
multiple = math.lcm(time_stride, p["padMultiple"])
lengths = np.array([len(r) for r in rows])
print(json.dumps({"ready": True, "tensorflow": tf.__version__, "keras": keras.__version__,
                  "train": len(train), "validation": len(validation)}), flush=True)


def pad(members, crop):
    ls = [min(lengths[i], p["maxFrames"]) for i in members]
    frames = math.ceil(max(p["minFrames"], *ls) / multiple) * multiple
    x = np.zeros((len(members), frames, num_ceps), np.float32)
    mask = np.zeros((len(members), frames), np.float32)
    steps = frames // time_stride
    step_mask = np.zeros((len(members), steps), np.float32)
    for b, i in enumerate(members):
        slack = lengths[i] - ls[b]
        start = int(crop.integers(0, slack + 1)) if slack > 0 and crop is not None else 0
        x[b, : ls[b]] = rows[i][start: start + ls[b]]
        mask[b, : ls[b]] = 1
        step_mask[b, : -(-ls[b] // time_stride)] = 1
    return tf.constant(x), tf.constant(mask), tf.constant(step_mask)


def epoch_batches(indices, size):
    shuffled = rng.permutation(indices)
    pool = size * 32
    batches = []
    for s in range(0, len(shuffled), pool):
        chunk = sorted(shuffled[s: s + pool], key=lambda i: (lengths[i], i))
        batches += [chunk[b: b + size] for b in range(0, len(chunk), size)]
    return [batches[i] for i in rng.permutation(len(batches))]


encoder, decoder = build()
variables = encoder.trainable_variables + decoder.trainable_variables
optimizer = keras.optimizers.Adam(p["learningRate"])
sparsity = p["sparsity"]
spec = [tf.TensorSpec([None, None, num_ceps], tf.float32), tf.TensorSpec([None, None], tf.float32),
        tf.TensorSpec([None, None], tf.float32)]


def losses(x, mask, step_mask, training):
    code = encoder(x[..., None], training=training)
    recon = decoder(code, training=training)[:, : tf.shape(x)[1]]
    mse = tf.reduce_sum(tf.square(recon - x) * mask[..., None]) / (tf.reduce_sum(mask) * num_ceps)
    l1 = tf.reduce_sum(tf.abs(code) * step_mask[..., None]) / (tf.reduce_sum(step_mask) * units)
    return mse + sparsity * l1, mse, l1


@tf.function(input_signature=spec)
def train_step(x, mask, step_mask):
    with tf.GradientTape() as tape:
        loss, mse, l1 = losses(x, mask, step_mask, True)
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return loss, mse, l1


@tf.function(input_signature=spec)
def eval_step(x, mask, step_mask):
    return losses(x, mask, step_mask, False)


evaluation = sorted(validation, key=lambda i: (lengths[i], i))
evaluation = [evaluation[b: b + p["batchSize"]] for b in range(0, len(evaluation), p["batchSize"])]


def held_out():
    total, mse_total, frames = 0.0, 0.0, 0
    for members in evaluation:
        loss, mse, _ = eval_step(*pad(members, None))
        n = int(sum(min(lengths[i], p["maxFrames"]) for i in members))
        total, mse_total, frames = total + float(loss) * n, mse_total + float(mse) * n, frames + n
    return total / frames, mse_total / frames


start, cpu = time.perf_counter(), time.process_time()
best, best_weights, since, epochs_run = None, None, 0, 0
for epoch in range(1, p["epochs"] + 1):
    t0 = time.perf_counter()
    epochs_run = epoch
    for members in epoch_batches(train, p["batchSize"]):
        loss, _, _ = train_step(*pad(members, rng))
    val_loss = held_out()[0] if evaluation else float(loss)
    print(json.dumps({"epoch": epoch, "loss": float(loss), "val_loss": val_loss, "seconds": time.perf_counter() - t0}),
          flush=True)
    if best is None or val_loss < best[1] - p["minDelta"]:
        best, best_weights, since = (epoch, val_loss), [v.numpy() for v in variables], 0
    else:
        since += 1
        if since >= p["patience"]:
            break
for v, w in zip(variables, best_weights):
    v.assign(w)
mse = held_out()[1] if evaluation else None
print(json.dumps({"done": True, "epochs": epochs_run, "bestEpoch": best[0], "heldOutMse": mse,
                  "seconds": time.perf_counter() - start, "cpuSeconds": time.process_time() - cpu}), flush=True)
