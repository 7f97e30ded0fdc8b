"""pytest suite of the vigil Python package (run by ctest as `python_bindings`)."""
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

import vigil

DATA = os.environ.get("VIGIL_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "data"))
CLI = os.environ.get("VIGIL_CLI")


def read(name):
    return pd.read_csv(os.path.join(DATA, name), sep=";", index_col="datetime")


@pytest.fixture(scope="module")
def normal():
    return read("normal.csv")


@pytest.fixture(scope="module")
def faulty():
    df = read("faulty.csv")
    return df.drop(columns=[c for c in ("anomaly", "changepoint") if c in df.columns])


def test_detectors_are_listed():
    assert {"pca", "zscore", "iforest", "ae", "conv-ae"} <= set(vigil.detectors())


@pytest.mark.parametrize("kind", ["pca", "zscore", "iforest"])
def test_fit_score_predict(kind, normal, faulty):
    det = vigil.Detector(kind).fit(normal)
    assert det.n_features_in_ == normal.shape[1]
    assert det.channels_ == list(normal.columns)
    s = det.anomaly_score(faulty)
    assert s.shape == (len(faulty),) and s.dtype == np.float64 and np.isfinite(s).all()
    np.testing.assert_array_equal(det.score_samples(faulty), -s)
    d = det.decision_function(faulty)
    np.testing.assert_allclose(d, det.threshold_ - s, rtol=1e-12)
    p = det.predict(faulty)
    assert set(np.unique(p)) <= {-1, 1}
    assert (p == -1).sum() > 0, "the faulty file has anomalies"
    c = det.contributions(faulty)
    assert c.shape == faulty.shape
    on = s > 0
    np.testing.assert_allclose(c[on].sum(axis=1), 1.0, atol=1e-4)


def test_numpy_and_dataframe_agree(normal, faulty):
    a = vigil.Detector("pca").fit(normal)
    b = vigil.Detector("pca").fit(normal.to_numpy())  # plain array: channels ch0..chN
    np.testing.assert_array_equal(a.anomaly_score(faulty), b.anomaly_score(faulty.to_numpy(dtype=np.float64)))
    assert b.channels_ == [f"ch{i}" for i in range(normal.shape[1])]


def test_save_load_round_trip(tmp_path, normal, faulty):
    det = vigil.Detector("pca", window=4, smooth=3).fit(normal)
    path = tmp_path / "m.vgm"
    det.save(path)
    again = vigil.load(path)
    assert again.kind == "pca"
    np.testing.assert_array_equal(det.anomaly_score(faulty), again.anomaly_score(faulty))
    assert again.threshold_ == det.threshold_


def test_neural_detector_fits(normal, faulty):
    det = vigil.Detector("ae", epochs=3, hidden=[16, 4], seed=7).fit(normal)
    s = det.anomaly_score(faulty)
    assert np.isfinite(s).all()
    again = vigil.Detector("ae", epochs=3, hidden=[16, 4], seed=7).fit(normal)
    np.testing.assert_array_equal(s, again.anomaly_score(faulty))  # deterministic


@pytest.mark.skipif(not CLI, reason="VIGIL_CLI not set (run through ctest)")
def test_scores_equal_the_cli(tmp_path, normal):
    det = vigil.Detector("pca").fit(normal)
    path = tmp_path / "m.vgm"
    det.save(path)
    out = tmp_path / "scores.csv"
    subprocess.run([CLI, "score", "-m", str(path), "-i", os.path.join(DATA, "faulty.csv"), "-o", str(out)],
                   check=True, capture_output=True)
    cli = pd.read_csv(out)
    faulty = read("faulty.csv")[det.channels_]
    ours = det.anomaly_score(faulty)
    np.testing.assert_allclose(ours, cli["score"].to_numpy(), rtol=1e-5, atol=1e-6)


def test_errors(normal, tmp_path):
    det = vigil.Detector("pca").fit(normal)
    with pytest.raises(ValueError, match="2-D"):
        det.anomaly_score(np.zeros(8, dtype=np.float32))
    with pytest.raises(ValueError, match="columns, the model was fitted on 8"):
        det.anomaly_score(np.zeros((5, 3), dtype=np.float32))
    renamed = normal.rename(columns={normal.columns[0]: "other"})
    with pytest.raises(ValueError, match="differ from the model's channels"):
        det.anomaly_score(renamed)
    with pytest.raises(ValueError, match="unknown detector"):
        vigil.Detector("svm")
    with pytest.raises(TypeError, match="unknown option 'windw'"):
        vigil.Detector("pca", windw=3).fit(normal)
    with pytest.raises(ValueError):
        vigil.Detector("pca").fit(normal.iloc[:2])  # too short to learn anything
    with pytest.raises(RuntimeError, match="not fitted"):
        vigil.Detector("pca").predict(normal)
    with pytest.raises(OSError, match="cannot open"):
        vigil.load(tmp_path / "missing.vgm")
    bad = tmp_path / "bad.vgm"
    bad.write_bytes(b"VIGILMDL" + b"\0" * 10)
    with pytest.raises(ValueError):
        vigil.load(bad)


def test_nan_policy(normal):
    det = vigil.Detector("pca").fit(normal)
    x = normal.to_numpy(dtype=np.float32).copy()
    x[5, 2] = np.nan
    with pytest.raises(ValueError, match=r"X\[5, 2\] is NaN"):
        det.anomaly_score(x)
    det_hold = vigil.Detector("pca", missing="hold").fit(normal)
    s = det_hold.anomaly_score(x)
    y = x.copy()
    y[5, 2] = y[4, 2]
    np.testing.assert_array_equal(s, det_hold.anomaly_score(y))
    x[0, 1] = np.nan
    with pytest.raises(ValueError, match="column 1 starts with NaN"):
        det_hold.anomaly_score(x)
    with pytest.raises(ValueError, match="missing must be"):
        vigil.Detector("pca", missing="drop").fit(x)
