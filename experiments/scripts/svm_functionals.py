# experiments/scripts/svm_functionals.py — an RBF SVM on per-utterance MFCC functionals (mean and std of each
# coefficient over frames), trained on the train partitions of --train, predicting --test.
import argparse

import numpy as np
from serx_features import open_feature_store
from serx_predictions import PredictionsWriter
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

parser = argparse.ArgumentParser()
parser.add_argument("--train", nargs="+", required=True)  # feature stores (serx features:mfcc)
parser.add_argument("--test", nargs="+", required=True)
parser.add_argument("--out", required=True)  # the predictions output directory
parser.add_argument("--c", type=float, default=1.0)
args = parser.parse_args()


def functionals(store, row):
    mfcc = store.read(row)  # frames x 40, float32
    return np.concatenate([mfcc.mean(axis=0), mfcc.std(axis=0)])


x, y, corpora = [], [], set()
for path in args.train:
    store = open_feature_store(path)
    for row in store.select(split="train"):
        x.append(functionals(store, row))
        y.append(row["class"])
        corpora.add(row["corpus"])
scaler = StandardScaler().fit(x)
svm = SVC(C=args.c, kernel="rbf", class_weight="balanced").fit(scaler.transform(x), y)
classes = [str(c) for c in svm.classes_]
print(f"trained on {len(y)} utterances of {sorted(corpora)}; classes {classes}")

writer = PredictionsWriter(args.out, classes, train_corpora=sorted(corpora), strategy="svm")
for path in args.test:
    store = open_feature_store(path)
    seen = store.meta.get("corpus") in corpora
    for row in store.select(split="test") if seen else store.rows:  # an unseen corpus: all of it
        features = scaler.transform([functionals(store, row)])
        scores = svm.decision_function(features).reshape(-1)
        if len(classes) == 2:
            scores = np.array([-scores[0], scores[0]])
        probs = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()  # softmax of the scores
        writer.append(row, probs, embedding=features[0])
writer.close()
