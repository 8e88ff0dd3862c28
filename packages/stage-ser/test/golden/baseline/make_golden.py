"""Golden values for the ser:baseline tests (functionals, the L2 logistic regression, the linear SVM).

Run once; the output (golden.json, next to this script) is committed:

    python3 -m venv ~/.cache/serx/sklearn-venv
    ~/.cache/serx/sklearn-venv/bin/pip install scikit-learn scipy numpy
    ~/.cache/serx/sklearn-venv/bin/python packages/stage-ser/test/golden/baseline/make_golden.py

References: numpy/scipy for the functionals (scipy.stats.skew/kurtosis with their defaults,
numpy.percentile linear), scikit-learn's StandardScaler + LogisticRegression (lbfgs, multinomial,
L2, tol 1e-10) and LinearSVC (liblinear, squared hinge, L2, one-vs-rest, intercept penalised; the
primal solver at tol 1e-10, whose optimum liblinear's default dual solver approaches) for the classifiers.
"""

import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(7)

# --- functionals of one 9 x 3 matrix (float32 values, as a feature store holds)
m = rng.standard_normal((9, 3)).astype(np.float32) * np.float32([1, 2, 0.5]) + np.float32([0, 1, -3])
x = m.astype(np.float64)
functionals = {
    "mean": x.mean(0),
    "std": x.std(0),
    "deltaStd": np.diff(x, axis=0).std(0),
    "skew": stats.skew(x, axis=0),
    "kurtosis": stats.kurtosis(x, axis=0),
    "p10": np.percentile(x, 10, axis=0),
    "p50": np.percentile(x, 50, axis=0),
    "p90": np.percentile(x, 90, axis=0),
    "logFrames": np.array([np.log(x.shape[0])]),
}

# --- a 3-class problem, imbalanced (60/25/15), 5 features of different scales, overlapping classes
n_train, n_test, d = 100, 30, 5
def sample(n):
    y = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    centres = np.array([[0, 0, 0, 0, 0], [1, -0.5, 0, 0.5, 0], [-0.5, 1, 0.5, 0, 0]])
    X = centres[y] + rng.standard_normal((n, d))
    X = (X * np.array([1, 10, 0.1, 3, 1]) + np.array([0, 5, -2, 0, 100])).astype(np.float32)
    return X.astype(np.float64), y
X, y = sample(n_train)
Xt, yt = sample(n_test)
scaler = StandardScaler().fit(X)
cases = []
for C, class_weight in [(0.01, None), (0.3, "balanced"), (100.0, "balanced")]:
    lr = LogisticRegression(C=C, class_weight=class_weight, tol=1e-10, max_iter=100000)
    lr.fit(scaler.transform(X), y)
    cases.append({
        "C": C,
        "classWeights": class_weight or "none",
        "coef": lr.coef_.tolist(),
        "intercept": (lr.intercept_ - lr.intercept_.mean()).tolist(),
        "testProbs": lr.predict_proba(scaler.transform(Xt)).tolist(),
    })

svm_cases = []
for C, class_weight in [(0.01, None), (0.3, "balanced"), (10.0, "balanced")]:
    svm = LinearSVC(C=C, class_weight=class_weight, dual=False, tol=1e-10, max_iter=1000000)
    svm.fit(scaler.transform(X), y)
    svm_cases.append({
        "C": C,
        "classWeights": class_weight or "none",
        "coef": svm.coef_.tolist(),
        "intercept": svm.intercept_.tolist(),
        "testDecision": svm.decision_function(scaler.transform(Xt)).tolist(),
    })

golden = {
    "versions": {p: version(p) for p in ["numpy", "scipy", "scikit-learn"]},
    "functionals": {"matrix": m.tolist(), "expected": {k: v.tolist() for k, v in functionals.items()}},
    "logistic": {
        "train": {"x": X.tolist(), "y": y.tolist()},
        "test": {"x": Xt.tolist(), "y": yt.tolist()},
        "scaler": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()},
        "cases": cases,
    },
    "svm": {"cases": svm_cases},
}
(HERE / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")
print("wrote", HERE / "golden.json")
