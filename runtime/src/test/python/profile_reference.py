"""numpy's attribution profile of raw attributions (ProfileAccumulatorNumpyTest's reference).

Input: a JSON list of {"label", "explanation", "inputs": {name: {"named": {feature: value}} | {"values": [...]}}}.
Rules (docs/configuration.md, attribution monitoring): a named feature is a feature; an unnamed input of one value is
the feature <input>, of at most 64 values one feature <input>[i] each, of more one feature <input>, the sum of the
absolute values. Per label: its count, and each feature's mean absolute attribution over the label's explanations.
Prints {label: {"count": n, "meanAbsAttribution": {feature: mean}}}.
"""
import json
import sys

import numpy as np


def features(inputs):
    out = {}
    for name, x in inputs.items():
        if "named" in x:
            for f, v in x["named"].items():
                out[f] = abs(v)
            continue
        v = np.asarray(x["values"], dtype=np.float64)
        if v.size == 1:
            out[name] = float(np.abs(v[0]))
        elif v.size <= 64:
            for i, a in enumerate(np.abs(v)):
                out[f"{name}[{i}]"] = float(a)
        else:
            out[name] = float(np.sum(np.abs(v)))
    return out


def main():
    rows = json.load(open(sys.argv[1]))
    by_label = {}
    for row in rows:
        by_label.setdefault(row["label"], []).append(features(row["inputs"]))
    profile = {}
    for label, explained in by_label.items():
        names = list(dict.fromkeys(f for e in explained for f in e))
        matrix = np.array([[e.get(f, 0.0) for f in names] for e in explained])
        means = matrix.mean(axis=0)
        profile[label] = {"count": len(explained), "meanAbsAttribution": dict(zip(names, means.tolist()))}
    print(json.dumps(profile))


if __name__ == "__main__":
    main()
