#!/usr/bin/env python3
"""Plain k-NN, test then train, over each class's newest DEPTH events of an ARFF stream: preprocessing by running
z-scores with and without the unit-norm rows the learner uses, votes plain or weighted by 1/distance, k = 3, 5, 7.
It isolates what preprocessing and the vote's rule cost, without a learned metric (BENCHMARKS.md, section 7g).

    python3 bench/preprocessing-knn.py target/moa/satellite.arff [EVENTS] [DEPTH]

The ARFF files come from bench/moa.sh (target/moa/); EVENTS defaults to the whole file, DEPTH to 900. Needs numpy.
"""
import sys

import numpy as np


def load(path):
    rows, labels, data = [], [], False
    for line in open(path):
        line = line.strip()
        if not line or line.startswith('%'):
            continue
        if line.lower().startswith('@data'):
            data = True
            continue
        if data:
            parts = line.split(',')
            rows.append([float(v) for v in parts[:-1]])
            labels.append(parts[-1])
    return np.array(rows), labels


def main():
    x, labels = load(sys.argv[1])
    events = min(len(labels), int(sys.argv[2])) if len(sys.argv) > 2 else len(labels)
    depth = int(sys.argv[3]) if len(sys.argv) > 3 else 900
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    configs = [(unit, weighted, k) for unit in (True, False) for weighted in (False, True) for k in (3, 5, 7)]
    hits = dict.fromkeys(configs, 0)
    memory = {c: [] for c in range(len(classes))}
    mean = np.zeros(x.shape[1])
    m2 = np.zeros(x.shape[1])
    seen = 0
    for t in range(events):
        refs = [i for c in memory for i in memory[c][-depth:]]
        if refs and seen > 1:
            std = np.sqrt(m2 / seen)
            std[std == 0] = 1
            z_refs = (x[refs] - mean) / std
            z = (x[t] - mean) / std
            for unit in (True, False):
                if unit:
                    r = z_refs / np.maximum(np.linalg.norm(z_refs, axis=1, keepdims=True), 1e-12)
                    q = z / max(np.linalg.norm(z), 1e-12)
                else:
                    r, q = z_refs, z
                d = np.sqrt(((r - q) ** 2).sum(1))
                order = np.argsort(d, kind='stable')
                for weighted in (False, True):
                    for k in (3, 5, 7):
                        votes = np.zeros(len(classes))
                        for j in order[:k]:
                            votes[y[refs[j]]] += 1.0 / (d[j] + 1e-9) if weighted else 1.0
                        hits[(unit, weighted, k)] += int(np.argmax(votes) == y[t])
        seen += 1
        delta = x[t] - mean
        mean += delta / seen
        m2 += delta * (x[t] - mean)
        memory[y[t]].append(t)
    for unit, weighted, k in configs:
        print('%-22s %-12s k=%d %.4f' % ('z-score + unit norm' if unit else 'z-score', '1/d weighted' if weighted
                                         else 'plain', k, hits[(unit, weighted, k)] / events))


if __name__ == '__main__':
    main()
