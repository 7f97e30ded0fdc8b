#!/usr/bin/env python3
"""Rows per second scoring 1 M rows from Python (vigil.Detector.anomaly_score on a NumPy array)
against the CLI (vigil score on the same rows as a CSV file), same model, same machine, same run.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_throughput.py [--rows 1000000] [--detector pca]

Not a test: it prints the two rates and their ratio.
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

import vigil

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--detector", default="pca")
    ap.add_argument("--cli", default=os.path.join(HERE, "..", "build", "vigil"))
    a = ap.parse_args()
    data = os.path.join(HERE, "..", "data")
    normal = pd.read_csv(os.path.join(data, "normal.csv"), sep=";", index_col="datetime")
    faulty = pd.read_csv(os.path.join(data, "faulty.csv"), sep=";", index_col="datetime")[normal.columns]
    reps = -(-a.rows // len(faulty))
    x = np.ascontiguousarray(np.tile(faulty.to_numpy(dtype=np.float32), (reps, 1))[: a.rows])
    det = vigil.Detector(a.detector).fit(normal)
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.vgm")
        det.save(model)
        csv = os.path.join(tmp, "rows.csv")
        pd.DataFrame(x, columns=normal.columns).to_csv(csv, index_label="row", float_format="%.7g")
        best_cli = min(timed([a.cli, "score", "-m", model, "-i", csv, "-o", os.devnull]) for _ in range(3))
    best_py = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        det.anomaly_score(x)
        best_py = min(best_py, time.perf_counter() - t)
    print(f"{a.rows} rows x {x.shape[1]} channels, detector {a.detector}, best of 3")
    print(f"  CLI    vigil score (CSV in, CSV out): {a.rows / best_cli:12.0f} rows/s  ({best_cli:.3f} s)")
    print(f"  Python Detector.anomaly_score:       {a.rows / best_py:12.0f} rows/s  ({best_py:.3f} s)")
    print(f"  Python / CLI throughput: {best_cli / best_py:.2f}")


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
