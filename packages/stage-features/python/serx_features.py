"""Read and write serx feature stores (artifact type ``features``) from Python. numpy only.

Copy this file beside your script (or point ``PYTHONPATH`` at this folder). The format is in
docs/stages.md ("Feature store format"); the files this writer produces are byte for byte those of
serx's TypeScript ``FeatureStoreWriter`` given the same rows, data and meta (tested).

    from serx_features import open_feature_store, FeatureStoreWriter

    store = open_feature_store(features_dir)        # meta + index rows
    for row in store.select(split="train"):         # rows are dicts: id, corpus, speaker, class, split...
        mfcc = store.read(row)                      # float32 array, frames x dims
    store.close()

    writer = FeatureStoreWriter(out_dir, dims=40, sample_rate=16000, meta={"corpus": "mine"})
    writer.append({"id": "u1", "corpus": "mine", "speaker": "s1", "label": None,
                   "class": None, "split": None}, features)  # frames x dims
    writer.close()                                  # writes meta.json
"""

import json
import math
import os

import numpy as np

FORMAT = "serx-features/1"
META_FILE = "meta.json"
INDEX_FILE = "index.jsonl"
SHARD_BYTES = 64 * 1024 * 1024

# --- store I/O (identical in serx_predictions.py; a test keeps them the same) ---


def shard_file_name(shard):
    return "shard-%05d.f32" % shard


def _js_number(x):
    """A number as JavaScript's JSON.stringify prints it (shortest round-trip digits)."""
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return "null"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    text = repr(abs(x))
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + ("" if frac == "0" else frac)
    point = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    s = stripped.rstrip("0")
    k, n = len(s), point
    if k <= n <= 21:
        return sign + s + "0" * (n - k)
    if 0 < n <= 21:
        return sign + s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + s
    e = n - 1
    e_text = ("+" if e >= 0 else "-") + str(abs(e))
    return sign + (s if k == 1 else s[0] + "." + s[1:]) + "e" + e_text


def js_json(value, indent=None, _depth=0):
    """JSON text as JavaScript's JSON.stringify(value) (indent=None) or (value, null, indent) prints it."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)):
        return _js_number(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        items = [(json.dumps(str(k), ensure_ascii=False), v) for k, v in value.items()]
        if not items:
            return "{}"
        if indent is None:
            return "{" + ",".join(k + ":" + js_json(v) for k, v in items) + "}"
        pad = " " * (indent * (_depth + 1))
        inner = (",\n").join(pad + k + ": " + js_json(v, indent, _depth + 1) for k, v in items)
        return "{\n" + inner + "\n" + " " * (indent * _depth) + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if indent is None:
            return "[" + ",".join(js_json(v) for v in value) + "]"
        pad = " " * (indent * (_depth + 1))
        inner = (",\n").join(pad + js_json(v, indent, _depth + 1) for v in value)
        return "[\n" + inner + "\n" + " " * (indent * _depth) + "]"
    raise TypeError("cannot write %r as JSON" % (value,))


class FeatureStoreWriter:
    """Streams rows into a new store directory; call close() to write meta.json."""

    def __init__(self, directory, dims, sample_rate=None, meta=None, shard_bytes=SHARD_BYTES):
        if not isinstance(dims, int) or dims < 1:
            raise ValueError("dims must be a positive integer, got %r" % (dims,))
        os.makedirs(directory, exist_ok=True)
        self.dir = directory
        self.dims = dims
        self.sample_rate = sample_rate
        self.meta = dict(meta or {})
        self.shard_bytes = shard_bytes
        self._index = open(os.path.join(directory, INDEX_FILE), "w", encoding="utf-8", newline="\n")
        self._shard = -1
        self._handle = None
        self._floats = 0
        self._count = 0
        self._frames = 0

    def append(self, row, data):
        """Appends one utterance: ``data`` is frames x dims (or flat, a multiple of dims) floats."""
        values = np.ascontiguousarray(np.asarray(data, dtype="<f4").reshape(-1))
        if values.size == 0 or values.size % self.dims != 0:
            raise ValueError(
                "features of %r have %d values, not a positive multiple of dims=%d"
                % (row.get("id"), values.size, self.dims)
            )
        if self._handle is None or (self._floats > 0 and self._floats * 4 + values.nbytes > self.shard_bytes):
            self._roll()
        stored = dict(row)
        stored["frames"] = values.size // self.dims
        stored["shard"] = self._shard
        stored["offset"] = self._floats
        self._handle.write(values.tobytes())
        self._floats += values.size
        self._count += 1
        self._frames += stored["frames"]
        self._index.write(js_json(stored) + "\n")
        return stored

    def close(self):
        """Flushes everything and writes meta.json; returns the meta."""
        self._index.close()
        if self._handle is not None:
            self._handle.close()
        meta = dict(self.meta)
        meta["format"] = FORMAT
        meta["dims"] = self.dims
        meta["dtype"] = "float32"
        if self.sample_rate is not None:
            meta["sampleRate"] = self.sample_rate
        meta["count"] = self._count
        meta["frames"] = self._frames
        meta["shards"] = self._shard + 1
        with open(os.path.join(self.dir, META_FILE), "w", encoding="utf-8", newline="\n") as f:
            f.write(js_json(meta, indent=2) + "\n")
        return meta

    def _roll(self):
        if self._handle is not None:
            self._handle.close()
        self._shard += 1
        self._floats = 0
        self._handle = open(os.path.join(self.dir, shard_file_name(self._shard)), "wb")


class FeatureStore:
    """An open store: ``meta`` (dict), ``rows`` (list of dicts, index order), ``read(row)``."""

    def __init__(self, directory):
        self.dir = directory
        with open(os.path.join(directory, META_FILE), encoding="utf-8") as f:
            self.meta = json.load(f)
        if self.meta.get("format") != FORMAT or self.meta.get("dtype") != "float32":
            raise ValueError("%s: not a %s store with dtype float32" % (directory, FORMAT))
        self.dims = int(self.meta["dims"])
        with open(os.path.join(directory, INDEX_FILE), encoding="utf-8") as f:
            self.rows = [json.loads(line) for line in f if line.strip()]
        if len(self.rows) != self.meta["count"]:
            raise ValueError("%s: %d rows but meta.json says %d" % (directory, len(self.rows), self.meta["count"]))
        self._shards = {}

    def read(self, row):
        """The row's values, float32 frames x dims."""
        shard = self._shards.get(row["shard"])
        if shard is None:
            path = os.path.join(self.dir, shard_file_name(row["shard"]))
            shard = np.memmap(path, dtype="<f4", mode="r") if os.path.getsize(path) > 0 else np.zeros(0, "<f4")
            self._shards[row["shard"]] = shard
        start, count = row["offset"], row["frames"] * self.dims
        if start + count > shard.size:
            raise ValueError("%s: row %r extends past the end of its shard" % (self.dir, row["id"]))
        return np.array(shard[start : start + count]).reshape(row["frames"], self.dims)

    def select(self, **where):
        """Rows whose fields equal the given values (a list or tuple value: any of them)."""
        def keep(row):
            for field, wanted in where.items():
                value = row.get(field)
                if isinstance(wanted, (list, tuple, set)):
                    if value not in wanted:
                        return False
                elif value != wanted:
                    return False
            return True

        return [row for row in self.rows if keep(row)]

    def close(self):
        self._shards.clear()


def open_feature_store(directory):
    return FeatureStore(directory)


# --- end of store I/O ---
