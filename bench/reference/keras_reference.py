"""Keras side of `npm run bench -- reference`: the paper's CNN-LSTM trained from scratch on serx's own
feature stores, with the recipe of the serx `ser:train` stage it is compared with.

argv[1]: JSON {stores: [dir], seeds: [int], threads, model: <serx model config.json>, params: <the
ser:train params serx hashed>, evaluateTest: bool (default true; false: training only, no test
predictions and no "ua", as e2e.bench.ts times it)}. Prints one JSON line per seed:
{"seed", "ua": {corpus: UA}, "bestEpoch", "epochs", "seconds", "cpuSeconds"}.

Data and evaluation as serx: rows of split `train` train, `validation` select; each corpus is tested on
its `test` rows, a corpus without any (the held-out one) on all of its rows. UA = mean recall over the
classes present (scikit-learn's balanced accuracy).

Strategy: `scratch` trains every layer; `frozen` (a pretrained encoder) leaves the encoder's conv layers and
bottleneck dense untrained (random weights here: the timing is the same, the accuracy is not comparable).

Recipe, mirrored from the params (each switched off when absent or 0): length-bucketed batches (pools
of 32 batches sorted by length, batches shuffled), zero padding to >= minFrames and a multiple of
padMultiple, random crop to maxFrames; the LSTM's state read at each utterance's own last step
(masked beyond ceil(frames / timeStride)); Adam; class weights (per-sample, sum / batch as Keras);
dropout after each conv layer, on the LSTM input, before each dense layer; the LSTM's recurrent
dropout is serx's: DropConnect on the recurrent kernel (each entry zeroed with the rate for a whole
batch, kept ones scaled by 1 / (1 - rate); `WeightDropLSTM` below), not Keras' `recurrent_dropout`
(a mask on h inside the loop); L2 `weightDecay * sum(w^2)` on kernels; SpecAugment time/frequency masks;
global gradient-norm clipping; reduce-LR-on-plateau on validation loss; selection on validation UA
(pooled or averaged per corpus), epochs before `minEpochs` never kept, ties to the lower validation
loss, early stopping after `patience` epochs, best weights restored.
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
from keras import layers, regularizers  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(cfg["threads"])
tf.config.threading.set_inter_op_parallelism_threads(min(2, cfg["threads"]))

model_cfg, p = cfg["model"], cfg["params"]
classes = model_cfg["classes"]
num_ceps = model_cfg["numCeps"]


def read_store(d):
    d = Path(d)
    meta = json.loads((d / "meta.json").read_text())
    dims = meta["dims"]
    shards = {}
    rows = []
    for line in (d / "index.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if r["shard"] not in shards:
            shards[r["shard"]] = np.memmap(d / f"shard-{r['shard']:05d}.f32", dtype="<f4", mode="r")
        r["x"] = np.asarray(shards[r["shard"]][r["offset"]: r["offset"] + r["frames"] * dims]).reshape(r["frames"], dims)
        rows.append(r)
    return rows


rows = [r for d in cfg["stores"] for r in read_store(d) if r.get("class") in classes]
label = {c: i for i, c in enumerate(classes)}
train = [r for r in rows if r.get("split") == "train"]
validation = [r for r in rows if r.get("split") == "validation"]
tested = {r["corpus"] for r in rows if r.get("split") == "test"}
test = [r for r in rows if r.get("split") == "test" or r["corpus"] not in tested]

dropout = p.get("dropout") or {}
# ser:train fills fields missing inside specAugment / lrSchedule with these (training-params.ts)
spec_augment = p.get("specAugment") or None
if spec_augment:
    spec_augment = {"timeMasks": 2, "timeMaskWidth": 20, "freqMasks": 2, "freqMaskWidth": 5, **spec_augment}
weight_decay = p.get("weightDecay", 0) or 0
clip_norm = p.get("clipNorm", 0) or 0
schedule = p.get("lrSchedule") or {"kind": "constant"}
if schedule.get("kind") == "plateau":
    schedule = {"factor": 0.5, "patience": 2, "minLr": 0.00001, **schedule}
selection = p.get("selection") or {"metric": "ua", "minEpochs": 1}
min_frames, max_frames, multiple = model_cfg["minFrames"], model_cfg["maxFrames"], model_cfg["padMultiple"]


class StepMask(layers.Layer):
    """True for each utterance's own bottleneck steps: the LSTM's state is read at its last real step."""

    def call(self, x, steps):
        return tf.sequence_mask(steps[:, 0], tf.shape(x)[1])


class WeightDropLSTMCell(layers.LSTMCell):
    """Keras' LSTM cell (gates i, f, c, o; sigmoid / tanh) reading its recurrent kernel from
    `dropped` while training: the batch's DropConnect-masked copy set by `WeightDropLSTM`."""

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
    """serx's recurrent dropout (AWD-LSTM's weight drop, `stage-ser/src/model/lstm.ts`): one mask on
    the recurrent kernel per batch, drawn before the time loop; nothing dropped at inference."""

    def __init__(self, units, rate, seed, kernel_regularizer=None, recurrent_regularizer=None):
        super().__init__(WeightDropLSTMCell(units, kernel_regularizer=kernel_regularizer,
                                            recurrent_regularizer=recurrent_regularizer))
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        cell = self.cell
        cell.dropped = None
        if training and self.rate > 0:
            keep = keras.random.uniform(tf.shape(cell.recurrent_kernel), seed=self.seed_generator) >= self.rate
            cell.dropped = cell.recurrent_kernel * tf.cast(keep, tf.float32) / (1 - self.rate)
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)


def build_model(seed):
    reg = regularizers.l2(weight_decay) if weight_decay > 0 else None
    # strategy frozen (ser:train on a pretrained encoder): the encoder (conv layers and the bottleneck
    # dense) is not trained and, as serx decays only trainable weights, not decayed either
    frozen = p.get("strategy") == "frozen"
    enc_reg = None if frozen else reg
    inp = keras.Input(shape=(None, num_ceps, 1))
    steps = keras.Input(shape=(1,), dtype="int32")
    x = inp
    cepstra = num_ceps
    conv = model_cfg["structure"]["params"]["conv"]
    for c in conv:
        x = layers.Conv2D(c["filters"], c["kernelSize"], strides=c["strides"], padding="same", activation="relu",
                          kernel_regularizer=enc_reg, trainable=not frozen)(x)
        if dropout.get("conv", 0) > 0:
            x = layers.Dropout(dropout["conv"])(x)
        cepstra = -(-cepstra // c["strides"][1])
    x = layers.Reshape((-1, cepstra * conv[-1]["filters"]))(x)
    x = layers.Dense(model_cfg["structure"]["params"]["units"], activation="relu", kernel_regularizer=enc_reg,
                     trainable=not frozen)(x)
    if dropout.get("lstmInput", 0) > 0:
        x = layers.Dropout(dropout["lstmInput"])(x)
    mask = StepMask()(x, steps)
    x = WeightDropLSTM(model_cfg["lstmUnits"], dropout.get("lstmRecurrent", 0), seed,
                       kernel_regularizer=reg, recurrent_regularizer=reg)(x, mask=mask)
    if dropout.get("dense", 0) > 0:
        x = layers.Dropout(dropout["dense"])(x)
    x = layers.Dense(model_cfg["hiddenUnits"], activation="relu", kernel_regularizer=reg)(x)
    if dropout.get("dense", 0) > 0:
        x = layers.Dropout(dropout["dense"])(x)
    out = layers.Dense(len(classes), activation="softmax", kernel_regularizer=reg)(x)
    return keras.Model([inp, steps], out)


def steps_of(lengths):
    stride = model_cfg["timeStride"]
    return np.array([[-(-n // stride)] for n in lengths], np.int32)


def pad(batch, rng):
    lengths = [min(len(r["x"]), max_frames) for r in batch]
    frames = math.ceil(max(min_frames, *lengths) / multiple) * multiple
    x = np.zeros((len(batch), frames, num_ceps), np.float32)
    for b, r in enumerate(batch):
        slack = len(r["x"]) - lengths[b]
        start = int(rng.integers(0, slack + 1)) if slack > 0 and rng is not None else 0
        x[b, : lengths[b]] = r["x"][start: start + lengths[b]]
    return x, lengths


def augment(x, lengths, rng):
    for b, length in enumerate(lengths):
        for _ in range(spec_augment.get("timeMasks", 0)):
            w = int(rng.integers(0, spec_augment["timeMaskWidth"] + 1))
            t0 = int(rng.integers(0, max(1, length - w + 1)))
            x[b, t0: t0 + w] = 0
        for _ in range(spec_augment.get("freqMasks", 0)):
            w = int(rng.integers(0, spec_augment["freqMaskWidth"] + 1))
            f0 = int(rng.integers(0, max(1, num_ceps - w + 1)))
            x[b, :length, f0: f0 + w] = 0
    return x


def epoch_batches(data, rng, size):
    order = rng.permutation(len(data))
    pool = size * 32
    batches = []
    for s in range(0, len(order), pool):
        chunk = sorted(order[s: s + pool], key=lambda i: (len(data[i]["x"]), i))
        batches += [chunk[b: b + size] for b in range(0, len(chunk), size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def balanced_ua(truth, pred):
    recalls = [np.mean(pred[truth == k] == k) for k in range(len(classes)) if np.any(truth == k)]
    return float(np.mean(recalls))


def predict(model, data):
    order = sorted(range(len(data)), key=lambda i: len(data[i]["x"]))
    probs = np.zeros((len(data), len(classes)), np.float32)
    for s in range(0, len(order), 64):
        idx = order[s: s + 64]
        x, lengths = pad([data[i] for i in idx], None)
        probs[idx] = model([x[..., None], steps_of(lengths)], training=False).numpy()
    return probs


def run(seed):
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = build_model(seed)
    lr = p["learningRate"]
    optimizer = keras.optimizers.Adam(lr, **({"global_clipnorm": clip_norm} if clip_norm > 0 else {}))
    y_train = np.array([label[r["class"]] for r in train])
    if p.get("classWeights") == "balanced":
        counts = np.bincount(y_train, minlength=len(classes))
        class_weight = np.where(counts > 0, len(y_train) / (len(classes) * np.maximum(counts, 1)), 0)
    elif isinstance(p.get("classWeights"), dict):
        class_weight = np.array([p["classWeights"].get(c, 1) for c in classes])
    else:
        class_weight = np.ones(len(classes))
    y_val = np.array([label[r["class"]] for r in validation])
    val_corpora = np.array([r["corpus"] for r in validation])

    @tf.function(reduce_retracing=True)
    def step(x, steps, y, w):
        with tf.GradientTape() as tape:
            probs = model([x, steps], training=True)
            ce = -tf.reduce_sum(tf.one_hot(y, len(classes)) * tf.math.log(tf.clip_by_value(probs, 1e-7, 1 - 1e-7)), 1)
            loss = tf.reduce_sum(ce * w) / tf.cast(tf.shape(y)[0], tf.float32)
            if model.losses:
                loss += tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    best, best_weights, since, plateau_best, plateau_wait = None, None, 0, math.inf, 0
    # as the training kit: a run shorter than minEpochs still keeps its best epoch
    min_epochs, epochs_run = min(max(1, selection.get("minEpochs", 1)), p["epochs"]), 0
    for epoch in range(1, p["epochs"] + 1):
        epochs_run = epoch
        for batch in epoch_batches(train, rng, p["batchSize"]):
            x, lengths = pad([train[i] for i in batch], rng)
            if spec_augment:
                x = augment(x, lengths, rng)
            step(tf.constant(x[..., None]), tf.constant(steps_of(lengths)), tf.constant(y_train[batch], tf.int32),
                 tf.constant(class_weight[y_train[batch]], tf.float32))
        probs = predict(model, validation)
        pred = probs.argmax(1)
        val_loss = float(np.mean(-np.log(np.clip(probs[np.arange(len(y_val)), y_val], 1e-7, 1))))
        if selection.get("metric") == "ua_corpus_mean":
            score = float(np.mean([balanced_ua(y_val[val_corpora == c], pred[val_corpora == c]) for c in sorted(set(val_corpora))]))
        else:
            score = balanced_ua(y_val, pred)
        if schedule.get("kind") == "plateau":
            if val_loss < plateau_best:
                plateau_best, plateau_wait = val_loss, 0
            else:
                plateau_wait += 1
                if plateau_wait >= schedule["patience"]:
                    lr = max(lr * schedule["factor"], schedule["minLr"])
                    optimizer.learning_rate.assign(lr)
                    plateau_wait = 0
        if epoch < min_epochs:
            continue
        if best is None or score > best[1] or (abs(score - best[1]) <= 1e-12 and val_loss < best[2]):
            best, best_weights, since = (epoch, score, val_loss), model.get_weights(), 0
        else:
            since += 1
            if p["patience"] > 0 and since >= p["patience"]:
                break
    model.set_weights(best_weights)
    if not cfg.get("evaluateTest", True):
        return {"seed": seed, "bestEpoch": best[0], "epochs": epochs_run}
    probs = predict(model, test)
    y_test = np.array([label[r["class"]] for r in test])
    corpora = np.array([r["corpus"] for r in test])
    ua = {c: balanced_ua(y_test[corpora == c], probs.argmax(1)[corpora == c]) for c in sorted(set(corpora))}
    return {"seed": seed, "ua": ua, "bestEpoch": best[0], "epochs": epochs_run}


print(json.dumps({"ready": True, "tensorflow": tf.__version__, "keras": keras.__version__,
                  "train": len(train), "validation": len(validation), "test": len(test)}), flush=True)
for seed in cfg["seeds"]:
    start, cpu = time.perf_counter(), time.process_time()
    result = run(seed)
    result["seconds"] = time.perf_counter() - start
    result["cpuSeconds"] = time.process_time() - cpu
    print(json.dumps(result), flush=True)
