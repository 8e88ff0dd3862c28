"""Golden arrays for the stage-features MFCC and decoder conformance tests.

Run once (outputs are committed next to this script):

    python3 -m venv ~/.cache/serx/golden-venv
    ~/.cache/serx/golden-venv/bin/pip install python_speech_features numpy soundfile librosa kaldi-native-fbank
    ~/.cache/serx/golden-venv/bin/python packages/stage-features/test/golden/make_golden.py

Corpora are read from $SERX_DATA or ../shared/corpora next to the repository root.

For each utterance it writes, as little-endian float32, frames x dims row-major:
  <name>.psf.f32      python_speech_features.mfcc(signal, 16000, 0.025, 0.01, numcep=40, nfilt=40,
                      nfft=512, preemph=0.97, ceplifter=0, appendEnergy=False, winfunc=numpy.hamming)
  <name>.librosa.f32  librosa.feature.mfcc(y=signal, sr=16000, n_mfcc=40).T
  <name>.kaldi.f32    kaldi_native_fbank.OnlineMfcc (Kaldi defaults, dither 0, 40 bins, 40 ceps) on
                      signal * 32768 (Kaldi reads 16-bit WAV as integer magnitudes)
plus <opus>.psf.f32 for one Ogg Opus file decoded by libsndfile, and golden.json with shapes, the sha256 of the decoded float32 signal (soundfile / libsndfile) and
the same hash for every file of raw-samples/ (decoded at its own rate, channels averaged).
"""

import hashlib
import json
import os
import sys
from importlib.metadata import version
from pathlib import Path

import kaldi_native_fbank as knf
import librosa
import numpy as np
import python_speech_features as psf
import soundfile as sf

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
CORPORA = Path(os.environ.get("SERX_DATA") or REPO.parent / "shared" / "corpora")

# Lossy, but both libsndfile and serx let libopus decode straight to 16 kHz.
OPUS = "librispeech/test-other/367/367-130732-0000.opus"

UTTERANCES = {
    "emodb-03a01Fa": "emodb/wav/03a01Fa.flac",
    "savee-KL-sa03": "savee/AudioData/KL/sa03.flac",
    "ravdess-01-03-01-01-01-01-01": "ravdess/Actor_01/03-01-03-01-01-01-01.flac",
}


def sha256_f32(x: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(x, dtype="<f4").tobytes()).hexdigest()


def mono_float32(path: Path) -> tuple[np.ndarray, int]:
    x, sr = sf.read(str(path), dtype="float64", always_2d=True)
    return x.mean(axis=1).astype(np.float32), sr


def kaldi_mfcc(signal: np.ndarray) -> np.ndarray:
    opts = knf.MfccOptions()
    opts.frame_opts.dither = 0
    opts.mel_opts.num_bins = 40
    opts.num_ceps = 40
    mfcc = knf.OnlineMfcc(opts)
    mfcc.accept_waveform(16000, (signal.astype(np.float64) * 32768).tolist())
    mfcc.input_finished()
    return np.array([mfcc.get_frame(i) for i in range(mfcc.num_frames_ready)])


def write(name: str, preset: str, m: np.ndarray) -> dict:
    file = f"{name}.{preset}.f32"
    m.astype("<f4").tofile(HERE / file)
    return {"file": file, "frames": int(m.shape[0]), "dims": int(m.shape[1])}


def main() -> None:
    if not CORPORA.is_dir():
        sys.exit(f"corpora not found at {CORPORA} (set SERX_DATA)")
    utterances = []
    for name, rel in UTTERANCES.items():
        signal, sr = mono_float32(CORPORA / rel)
        assert sr == 16000, f"{rel}: {sr} Hz"
        x64 = signal.astype(np.float64)
        presets = {
            "python_speech_features": write(name, "psf", psf.mfcc(
                x64, 16000, 0.025, 0.01, numcep=40, nfilt=40, nfft=512, preemph=0.97,
                ceplifter=0, appendEnergy=False, winfunc=np.hamming)),
            "librosa": write(name, "librosa", librosa.feature.mfcc(y=signal, sr=16000, n_mfcc=40).T),
            "kaldi": write(name, "kaldi", kaldi_mfcc(signal)),
        }
        utterances.append({"name": name, "path": rel, "sampleRate": sr, "samples": int(signal.size),
                           "sha256": sha256_f32(signal), "presets": presets})
    raw = []
    for path in sorted((CORPORA / "raw-samples").rglob("*.wav")):
        info = sf.info(str(path))
        signal, sr = mono_float32(path)
        raw.append({"path": str(path.relative_to(CORPORA)), "format": info.format, "subtype": info.subtype,
                    "channels": info.channels, "sampleRate": sr, "samples": int(signal.size),
                    "sha256": sha256_f32(signal)})
    opus, sr = mono_float32(CORPORA / OPUS)
    opus_entry = {"path": OPUS, "sampleRate": sr, "samples": int(opus.size), "sha256": sha256_f32(opus),
                  "python_speech_features": write("opus-367-130732-0000", "psf", psf.mfcc(
                      opus.astype(np.float64), 16000, 0.025, 0.01, numcep=40, nfilt=40, nfft=512,
                      preemph=0.97, ceplifter=0, appendEnergy=False, winfunc=np.hamming))}
    versions = {p: version(p) for p in ("numpy", "soundfile", "python_speech_features", "librosa", "kaldi-native-fbank")}
    (HERE / "golden.json").write_text(json.dumps({"versions": versions, "utterances": utterances, "rawSamples": raw, "opus": opus_entry}, indent=1) + "\n")
    print(f"wrote {len(utterances)} utterances, {len(raw)} raw-sample hashes to {HERE}")


if __name__ == "__main__":
    main()
