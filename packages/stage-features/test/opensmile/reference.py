"""openSMILE features of audio files by opensmile-python's own Smile.process_file: the reference the
conformance test (opensmile-conformance.test.ts) and the speed bench (bench/opensmile.bench.ts) hold
features:opensmile to. Run in the reference venv those create (the `opensmile` wheel serx provisions).

    python reference.py <out.json> <featureSet> <level: lld|functionals> <file>...
    python reference.py --time <repeats> <featureSet> <level> <file>...   (speed: prints JSON seconds)

Writes {"opensmile": version, "files": [{"path", "columns", "frames", "values": base64 float32 row-major}]}.
"""

import base64
import json
import sys
import time

import numpy as np
import opensmile

LEVELS = {"lld": opensmile.FeatureLevel.LowLevelDescriptors, "functionals": opensmile.FeatureLevel.Functionals}


def smile(feature_set, level):
    return opensmile.Smile(feature_set=opensmile.FeatureSet[feature_set], feature_level=LEVELS[level])


def main(argv):
    if argv[0] == "--time":
        repeats, feature_set, level, files = int(argv[1]), argv[2], argv[3], argv[4:]
        s = smile(feature_set, level)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            for f in files:
                s.process_file(f)
            times.append(time.perf_counter() - start)
        print(json.dumps({"seconds": times}))
        return
    out, feature_set, level, files = argv[0], argv[1], argv[2], argv[3:]
    s = smile(feature_set, level)
    result = []
    for f in files:
        df = s.process_file(f)
        values = df.to_numpy(dtype=np.float32)
        result.append({
            "path": f,
            "columns": list(df.columns),
            "frames": int(values.shape[0]),
            "values": base64.b64encode(np.ascontiguousarray(values).tobytes()).decode("ascii"),
        })
    with open(out, "w") as fh:
        json.dump({"opensmile": opensmile.__version__, "files": result}, fh)


if __name__ == "__main__":
    main(sys.argv[1:])
