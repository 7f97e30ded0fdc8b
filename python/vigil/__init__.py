"""vigil: learn normal from normal sensor data, flag what departs from it.

A scikit-learn style front end to vigil's C++ detectors::

    import vigil
    det = vigil.Detector("pca").fit(X_normal)       # X: (rows, channels) array or DataFrame
    det.score_samples(X)                              # higher = more normal (as scikit-learn)
    det.decision_function(X)                          # < 0: anomalous (threshold - score)
    det.predict(X)                                    # +1 normal, -1 anomaly (debounced alarm)
    det.anomaly_score(X)                              # vigil's own score, higher = more anomalous
    det.save("line1.vgm"); det2 = vigil.load("line1.vgm")

Each call to a scoring method treats the rows of X as one stream, in order, from a fresh
state (window features, smoothing, the threshold's adaptation and the alarm debounce start
over), exactly as ``vigil score`` does on a file. Models are the same ``.vgm`` files the CLI
and ``vigil serve`` use.

Missing values (NaN): ``missing="raise"`` (default) refuses them with the row and column;
``missing="hold"`` carries each channel's last value forward (the CLI's ``--missing hold``),
and refuses a NaN with no earlier value in its column.
"""
import numpy as np

from ._vigil import Model as _Model, VigilIOError, detectors

__all__ = ["Detector", "load", "detectors", "VigilIOError"]


def _rows(X, channels=None, missing="raise"):
    """(float32 C-contiguous rows, channel names) from an array-like or a pandas DataFrame."""
    names = None
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):  # pandas DataFrame, without importing pandas
        names = [str(c) for c in X.columns]
        X = X.to_numpy(dtype=np.float32, copy=False)
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"X must be 2-D (rows, channels), got shape {arr.shape}")
    if arr.dtype != np.float32 or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=np.float32)
    if channels is not None and names is not None and names != list(channels):
        raise ValueError(f"DataFrame columns {names} differ from the model's channels {list(channels)}")
    nan = np.isnan(arr)
    if nan.any():
        if missing == "raise":
            r, c = np.argwhere(nan)[0]
            raise ValueError(f"X[{r}, {c}] is NaN; pass missing='hold' to carry the last value forward")
        if missing != "hold":
            raise ValueError(f"missing must be 'raise' or 'hold', got {missing!r}")
        arr = arr.copy()
        for c in range(arr.shape[1]):
            col = arr[:, c]
            bad = np.isnan(col)
            if not bad.any():
                continue
            if bad[0]:
                raise ValueError(f"column {c} starts with NaN: nothing to hold")
            idx = np.where(bad, 0, np.arange(len(col)))
            np.maximum.accumulate(idx, out=idx)
            arr[:, c] = col[idx]
    if names is None:
        names = list(channels) if channels is not None else [f"ch{i}" for i in range(arr.shape[1])]
    return arr, names


class Detector:
    """An anomaly detector fitted on normal data only.

    kind: one of vigil.detectors() ("zscore", "pca", "iforest", "ae", "conv-ae", "tf-ae").
    options: the CLI's fit options by name, e.g. window=16, threshold="pot", risk=1e-3,
    quantile=0.995, smooth=5, min_run=3, seed=1, hidden=[64, 16], epochs=30.
    """

    def __init__(self, kind="pca", missing="raise", **options):
        if kind not in detectors():
            raise ValueError(f"unknown detector {kind!r}; one of {detectors()}")
        self.kind = kind
        self.missing = missing
        self.options = dict(options)
        self._model = None

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Learns normal from X (rows of normal data, in time order). y is ignored."""
        arr, names = _rows(X, missing=self.missing)
        self._model = _Model.fit(arr, names, self.kind, self.options)
        return self

    # -- scoring ------------------------------------------------------------------------------
    def _scored(self, X, contributions=False):
        if self._model is None:
            raise RuntimeError("this Detector is not fitted yet: call fit(X) or vigil.load(path)")
        arr, _ = _rows(X, channels=self._model.channels, missing=self.missing)
        return self._model.score(arr, contributions)

    def anomaly_score(self, X):
        """vigil's score per row (higher = more anomalous)."""
        return self._scored(X).score

    def score_samples(self, X):
        """The opposite of the anomaly score (scikit-learn convention: higher = more normal)."""
        return -self._scored(X).score

    def decision_function(self, X):
        """threshold - score per row: negative where the score exceeds the learned threshold."""
        s = self._scored(X)
        return s.threshold - s.score

    def predict(self, X):
        """+1 for normal rows, -1 where vigil raises an alarm (threshold and debounce applied)."""
        return np.where(self._scored(X).alarm, -1, 1)

    def contributions(self, X):
        """Each channel's share of each row's score (rows sum to 1 where the score is > 0)."""
        return self._scored(X, contributions=True).contributions

    # -- persistence and introspection --------------------------------------------------------
    def save(self, path):
        if self._model is None:
            raise RuntimeError("nothing to save: the Detector is not fitted")
        self._model.save(str(path))

    @property
    def threshold_(self):
        return self._model.threshold

    @property
    def channels_(self):
        return list(self._model.channels)

    @property
    def n_features_in_(self):
        return len(self._model.channels)

    def __repr__(self):
        state = "fitted" if self._model is not None else "not fitted"
        return f"vigil.Detector({self.kind!r}, {state})"


def load(path, missing="raise"):
    """A Detector from a .vgm file written by vigil (CLI, service or Python)."""
    model = _Model.load(str(path))
    det = Detector(model.detector, missing=missing)
    det._model = model
    return det
