#!/usr/bin/python3
"""Peer measurement for bench/iforest_bench.cc: scikit-learn's IsolationForest on the same
SKAB rows. Prints one JSON object on stdout:
  {"available": true, "sklearn_version": ..., "fit_seconds": ..., "score_samples_per_second": ...,
   "score_samples_per_cpu_second": ..., "single_row_seconds": ..., "auc": ..., "train_rows": ...,
   "score_rows": ...}
Times are the best of several runs (wall clock; the CPU-time rate is for shared machines).
or {"available": false, "reason": ...} when numpy/scikit-learn cannot be imported.

Usage: iforest_sklearn_peer.py TRAIN_CSV SCORE_CSV [SCORE_CSV ...]
Run single-threaded: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (the C++ bench sets both).
"""
import json
import sys
import time


def load(path, with_labels):
    import numpy as np
    # SKAB: datetime;8 sensor channels;anomaly;changepoint (label columns only in labelled files)
    cols = list(range(1, 10)) if with_labels else list(range(1, 9))
    data = np.loadtxt(path, delimiter=";", skiprows=1, usecols=cols, dtype=np.float64)
    if with_labels:
        return data[:, :8].astype(np.float32), data[:, 8]
    return data.astype(np.float32), None


def best_of(repeats, fn):
    """Best wall-clock and best process-CPU seconds over `repeats` calls."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu


def main(argv):
    if len(argv) < 3:
        print(json.dumps({"available": False, "reason": "usage: TRAIN_CSV SCORE_CSV..."}))
        return 2
    try:
        import numpy as np
        import sklearn
        from sklearn.ensemble import IsolationForest
        from sklearn.metrics import roc_auc_score
    except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
        print(json.dumps({"available": False, "reason": "import failed: %s" % e}))
        return 0

    train, _ = load(argv[1], False)
    parts = [load(p, True) for p in argv[2:]]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])

    def make():
        return IsolationForest(n_estimators=100, max_samples=256, n_jobs=1, random_state=42)

    fit_seconds, _ = best_of(3, lambda: make().fit(train))
    model = make().fit(train)
    score_seconds, score_cpu_seconds = best_of(5, lambda: model.score_samples(x))
    scores = model.score_samples(x)

    # Single-row latency: median over calls on successive rows (one row per call).
    lat = []
    n_single = 100
    for i in range(n_single):
        row = x[i % len(x)][None, :]
        start = time.perf_counter()
        model.score_samples(row)
        lat.append(time.perf_counter() - start)
    lat.sort()

    print(json.dumps({
        "available": True,
        "sklearn_version": sklearn.__version__,
        "train_rows": int(train.shape[0]),
        "score_rows": int(x.shape[0]),
        "fit_seconds": fit_seconds,
        "score_samples_per_second": x.shape[0] / score_seconds,
        "score_samples_per_cpu_second": x.shape[0] / score_cpu_seconds,
        "single_row_seconds": lat[len(lat) // 2],
        "auc": float(roc_auc_score(y, -scores)),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
