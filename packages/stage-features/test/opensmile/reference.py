"""openSMILE features of audio files by opensmile-python's own Smile.process_file: the reference the
conformance test (opensmile-conformance.test.ts) and the speed bench (bench/opensmile.bench.ts) hold
features:opensmile to. Run in the reference venv those create (the `opensmile` wheel serx provisions).

    python reference.py <out.json> <featureSet> <level: lld|functionals> <file>...
    python reference.py --time <repeats> <featureSet> <level> <file>...   (speed: prints JSON wall and CPU seconds)

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
        times, cpu = [], []
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            for f in files:
                s.process_file(f)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(json.dumps({"seconds": times, "cpu": cpu}))
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
