#!/usr/bin/env python3
"""Writes target/synthetic-3143x180.csv: 4 classes on a circle in the first 2 of 180 features (noise 0.5),
a small class shift in features 2-5, Gaussian noise elsewhere. Its 70% training part has 2,200 rows: the
180-feature shape of the batch-fit target (BENCHMARKS.md, section 2)."""
import math, os, random

random.seed(5)
n, p = 3143, 180
os.makedirs("target", exist_ok=True)
with open("target/synthetic-3143x180.csv", "w") as f:
    f.write(",".join(f"f{i}" for i in range(p)) + ",class\n")
    for _ in range(n):
        c = random.randrange(4)
        a = 2 * math.pi * c / 4
        row = [math.cos(a) + 0.5 * random.gauss(0, 1), math.sin(a) + 0.5 * random.gauss(0, 1)]
        row += [0.3 * c * (j < 4) + random.gauss(0, 1) for j in range(p - 2)]
        f.write(",".join(f"{v:.5f}" for v in row) + f",c{c}\n")
