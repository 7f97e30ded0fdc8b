// Python bindings (pybind11): the `vigil._vigil` extension behind the `vigil` package
// (python/vigil/__init__.py adds the scikit-learn style wrapper and pandas support).
//
// Arrays cross without copies where they can: scoring reads a C-contiguous float32 array in
// place (pybind11 converts anything else once, to that layout); fitting copies the rows into
// the table the model keeps for its threshold. Errors from vigil become ValueError (bad input)
// or OSError (files) with vigil's message.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "vigil/evaluate.h"
#include "vigil/model.h"

namespace py = pybind11;

namespace {

using Rows = py::array_t<float, py::array::c_style | py::array::forcecast>;

struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// IOError / NotFound become OSError (registered below), everything else ValueError.
[[noreturn]] void Raise(const vigil::Status& s) {
  if (s.code() == vigil::StatusCode::kIOError || s.code() == vigil::StatusCode::kNotFound) throw IoError(s.message());
  throw py::value_error(s.message());
}

template <typename T>
T Take(vigil::Result<T> r) {
  if (!r.ok()) Raise(r.status());
  return std::move(*r);
}

// rows × cols of a 2-D array; ValueError naming the problem otherwise.
void CheckShape(const Rows& x, size_t cols, const char* what) {
  if (x.ndim() != 2) {
    throw py::value_error(std::string(what) + ": X must be 2-D (rows, channels), got " + std::to_string(x.ndim()) +
                          " dimension(s)");
  }
  if (cols != 0 && static_cast<size_t>(x.shape(1)) != cols) {
    throw py::value_error(std::string(what) + ": X has " + std::to_string(x.shape(1)) +
                          " columns, the model was fitted on " + std::to_string(cols));
  }
}

// The model scores every row of x as one stream; fills what the caller asked for.
struct Scored {
  py::array_t<double> score, threshold;
  py::array_t<bool> alarm;
  py::array_t<float> contributions;
};

class PyModel {
 public:
  explicit PyModel(vigil::Model m) : model_(std::move(m)) {}

  static PyModel Fit(const Rows& x, const std::vector<std::string>& channels, const vigil::FitOptions& options) {
    CheckShape(x, 0, "fit");
    const size_t rows = static_cast<size_t>(x.shape(0)), cols = static_cast<size_t>(x.shape(1));
    if (channels.size() != cols) {
      throw py::value_error("fit: " + std::to_string(channels.size()) + " channel names for " + std::to_string(cols) +
                            " columns");
    }
    vigil::FrameTable table;
    table.schema = vigil::FrameSchema(channels);
    table.values.assign(x.data(), x.data() + rows * cols);
    table.timestamps.resize(rows);
    for (size_t i = 0; i < rows; ++i) table.timestamps[i] = static_cast<double>(i);
    vigil::Result<vigil::Model> m = [&] {
      py::gil_scoped_release release;
      return vigil::Model::Fit(table, options);
    }();
    return PyModel(Take(std::move(m)));
  }

  Scored Score(const Rows& x, bool with_contributions) const {
    CheckShape(x, model_.schema().size(), "score");
    const size_t rows = static_cast<size_t>(x.shape(0)), cols = static_cast<size_t>(x.shape(1));
    Scored out;
    out.score = py::array_t<double>(static_cast<py::ssize_t>(rows));
    out.threshold = py::array_t<double>(static_cast<py::ssize_t>(rows));
    out.alarm = py::array_t<bool>(static_cast<py::ssize_t>(rows));
    if (with_contributions) {
      out.contributions = py::array_t<float>({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
    }
    double* score = out.score.mutable_data();
    double* threshold = out.threshold.mutable_data();
    bool* alarm = out.alarm.mutable_data();
    float* contrib = with_contributions ? out.contributions.mutable_data() : nullptr;
    const float* data = x.data();
    {
      py::gil_scoped_release release;
      vigil::StreamScorer scorer(model_);
      for (size_t i = 0; i < rows; ++i) {
        const vigil::ScoredFrame& s =
            scorer.Step(vigil::FrameView{static_cast<double>(i), std::span<const float>(data + i * cols, cols)});
        score[i] = s.score;
        threshold[i] = s.threshold;
        alarm[i] = s.alarm;
        if (contrib != nullptr) {
          for (size_t c = 0; c < cols; ++c) contrib[i * cols + c] = c < s.contributions.size() ? s.contributions[c] : 0.0f;
        }
      }
    }
    return out;
  }

  void Save(const std::string& path) const {
    const vigil::Status s = model_.Save(path);
    if (!s.ok()) Raise(s);
  }
  static PyModel Load(const std::string& path) { return PyModel(Take(vigil::Model::Load(path))); }

  std::vector<std::string> channels() const { return model_.schema().names(); }
  std::string detector() const { return std::string(model_.detector().name()); }
  double threshold() const { return model_.threshold().value(); }
  std::string describe() const {
    std::ostringstream os;
    model_.Describe(os);
    return os.str();
  }

 private:
  vigil::Model model_;
};

// FitOptions from the detector's defaults and keyword arguments; TypeError for an unknown one.
vigil::FitOptions Options(const std::string& detector, const py::dict& kw) {
  vigil::FitOptions o = Take(vigil::DefaultFitOptions(detector));
  for (const auto& [k, v] : kw) {
    const std::string key = py::str(k);
    auto& d = o.detector_options;
    if (key == "window") o.window = v.cast<uint32_t>();
    else if (key == "smooth") o.smooth = v.cast<uint32_t>();
    else if (key == "min_run") o.min_run = v.cast<uint32_t>();
    else if (key == "input_smoothing") o.input_smoothing = v.cast<float>();
    else if (key == "calibration_folds") o.calibration_folds = v.cast<uint32_t>();
    else if (key == "threshold") o.threshold.kind = Take(vigil::ParseThresholdKind(v.cast<std::string>()));
    else if (key == "quantile") o.threshold.quantile = v.cast<double>();
    else if (key == "risk") o.threshold.risk = v.cast<double>();
    else if (key == "margin") o.threshold.margin = v.cast<double>();
    else if (key == "seed") d.seed = v.cast<uint64_t>();
    else if (key == "explained_variance") d.pca_explained_variance = v.cast<double>();
    else if (key == "trees") d.iforest_trees = v.cast<uint32_t>();
    else if (key == "subsample") d.iforest_subsample = v.cast<uint32_t>();
    else if (key == "hidden") d.ae_hidden = v.cast<std::vector<uint32_t>>();
    else if (key == "channels") d.conv_channels = v.cast<std::vector<uint32_t>>();
    else if (key == "kernel") d.conv_kernel = v.cast<uint32_t>();
    else if (key == "epochs") d.nn_epochs = v.cast<uint32_t>();
    else if (key == "batch_size") d.nn_batch_size = v.cast<uint32_t>();
    else if (key == "learning_rate") d.nn_learning_rate = v.cast<double>();
    else throw py::type_error("unknown option '" + key + "' for detector '" + detector + "'");
  }
  return o;
}

}  // namespace

PYBIND11_MODULE(_vigil, m) {
  m.doc() = "vigil: unsupervised anomaly detection for assembly lines (C++ core)";
  py::register_exception<IoError>(m, "VigilIOError", PyExc_OSError);
  py::class_<Scored>(m, "Scored")
      .def_readonly("score", &Scored::score)
      .def_readonly("threshold", &Scored::threshold)
      .def_readonly("alarm", &Scored::alarm)
      .def_readonly("contributions", &Scored::contributions);
  py::class_<PyModel>(m, "Model")
      .def_static(
          "fit",
          [](const Rows& x, const std::vector<std::string>& channels, const std::string& detector, const py::dict& kw) {
            return PyModel::Fit(x, channels, Options(detector, kw));
          },
          py::arg("x"), py::arg("channels"), py::arg("detector"), py::arg("options"))
      .def_static("load", &PyModel::Load, py::arg("path"))
      .def("score", &PyModel::Score, py::arg("x"), py::arg("contributions") = false)
      .def("save", &PyModel::Save, py::arg("path"))
      .def_property_readonly("channels", &PyModel::channels)
      .def_property_readonly("detector", &PyModel::detector)
      .def_property_readonly("threshold", &PyModel::threshold)
      .def("describe", &PyModel::describe);
  m.def("detectors", [] { return vigil::DetectorNames(); });
}
