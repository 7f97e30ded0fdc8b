#include "threshold/pot_threshold.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/byte_io.h"
#include "threshold/quantile_threshold.h"
#include "threshold/threshold_options.h"

namespace vigil::threshold {
namespace {
constexpr uint32_t kFormatVersion = 1;
}  // namespace

double PotQuantile(double init_threshold, const GpdFit& fit, double risk, double n, double peaks) {
  if (!(peaks > 0)) return init_threshold;
  double log_ratio = std::log(risk * n / peaks);
  if (fit.gamma == 0) return init_threshold - fit.sigma * log_ratio;
  // expm1 keeps (r^-gamma - 1) / gamma accurate when gamma is tiny.
  return init_threshold + fit.sigma * std::expm1(-fit.gamma * log_ratio) / fit.gamma;
}

size_t MinPotScores(double init_quantile) {
  // The epsilon absorbs rounding in 1 - q (10 / (1 - 0.98) is 500.0000000000004).
  return static_cast<size_t>(std::ceil(static_cast<double>(kMinPotPeaks) / (1 - init_quantile) - 1e-6));
}

Status PotThreshold::FitTail(std::span<const double> scores, size_t max_excesses, std::string_view what,
                             std::vector<double>* excesses, std::vector<uint64_t>* arrivals) {
  VIGIL_RETURN_IF_ERROR(ValidateThresholdOptions(options_));
  size_t min_scores = MinPotScores(options_.init_quantile);
  VIGIL_RETURN_IF_ERROR(CheckTrainingScores(scores, min_scores, what,
                                            " for init_quantile " + ShortestDouble(options_.init_quantile) +
                                                " (" + std::to_string(kMinPotPeaks) +
                                                " or more above the initial threshold)"));
  std::vector<double> copy(scores.begin(), scores.end());
  double t = EmpiricalQuantile(copy, options_.init_quantile);
  excesses->clear();
  arrivals->clear();
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] > t) {
      excesses->push_back(scores[i] - t);
      arrivals->push_back(i + 1);
    }
  }
  t_ = t;
  n_ = scores.size();
  peaks_ = excesses->size();
  window_start_ = 0;
  dropped_ = 0;
  censoring_ = GpdCensoring{};
  if (max_excesses > 0 && excesses->size() > max_excesses) {
    dropped_ = excesses->size() - max_excesses;
    window_start_ = (*arrivals)[dropped_ - 1];
    excesses->erase(excesses->begin(), excesses->begin() + static_cast<std::ptrdiff_t>(dropped_));
    arrivals->erase(arrivals->begin(), arrivals->begin() + static_cast<std::ptrdiff_t>(dropped_));
  }
  fitted_ = true;
  ApplyFit(excesses->empty() ? GpdFit{} : FitGpd(*excesses, censoring_), *excesses);
  return Status::OK();
}

void PotThreshold::ApplyFit(const GpdFit& fit, std::span<const double> excesses) {
  gpd_ = fit;
  double m = censoring_.count;
  double n = static_cast<double>(window_scores()) + m;
  double peaks = static_cast<double>(window_peaks()) + m;
  double z = PotQuantile(t_, gpd_, options_.risk, n, peaks);
  if (!std::isfinite(z) && !excesses.empty()) {
    gpd_ = ExponentialFit(excesses, GpdMethod::kExponential, censoring_);
    z = PotQuantile(t_, gpd_, options_.risk, n, peaks);
  }
  z_ = std::isfinite(z) && z > t_ ? z : t_;
}

Status PotThreshold::Fit(std::span<const double> scores) {
  std::vector<double> excesses;
  std::vector<uint64_t> arrivals;
  return FitTail(scores, 0, "pot threshold", &excesses, &arrivals);
}

double PotThreshold::value() const {
  return fitted_ ? z_ * options_.margin : std::numeric_limits<double>::infinity();
}

void PotThreshold::SaveTail(core::ByteWriter& w) const {
  w.U32(kFormatVersion);
  w.F64(options_.risk);
  w.F64(options_.init_quantile);
  w.F64(options_.margin);
  w.U8(fitted_ ? 1 : 0);
  if (!fitted_) return;
  w.F64(t_);
  w.U64(n_);
  w.U64(peaks_);
  w.U64(window_start_);
  w.U64(dropped_);
  w.F64(censoring_.count);
  w.F64(censoring_.at);
  w.U32(static_cast<uint32_t>(gpd_.method));
  w.F64(gpd_.gamma);
  w.F64(gpd_.sigma);
  w.F64(gpd_.root);
  w.F64(gpd_.log_likelihood);
  w.F64(z_);
}

void PotThreshold::Save(core::ByteWriter& w) const { SaveTail(w); }

Status PotThreshold::LoadTail(core::ByteReader& r, std::string_view prefix, ThresholdKind kind) {
  auto field = [&](std::string_view name) { return std::string(prefix) + "." + std::string(name); };
  auto bad = [&](std::string_view name, double v, std::string_view expected) {
    return r.Error(field(name),
                   "invalid value " + ShortestDouble(v) + " (expected " + std::string(expected) + ")");
  };
  uint32_t version = 0;
  VIGIL_RETURN_IF_ERROR(r.U32(field("version"), &version));
  if (version != kFormatVersion)
    return r.Error(field("version"), "unsupported version " + std::to_string(version));
  ThresholdOptions o = options_;
  o.kind = kind;
  VIGIL_RETURN_IF_ERROR(r.F64(field("risk"), &o.risk));
  VIGIL_RETURN_IF_ERROR(r.F64(field("init_quantile"), &o.init_quantile));
  VIGIL_RETURN_IF_ERROR(r.F64(field("margin"), &o.margin));
  // spot_max_excesses is not part of this block; validate it with a valid stand-in.
  ThresholdOptions check = o;
  check.spot_max_excesses = std::max<uint32_t>(check.spot_max_excesses, kMinGpdExcesses);
  if (Status s = ValidateThresholdOptions(check); !s.ok()) return r.Error(field("options"), s.message());
  uint8_t fitted = 0;
  VIGIL_RETURN_IF_ERROR(r.U8(field("fitted"), &fitted));
  if (fitted > 1) return r.Error(field("fitted"), "expected 0 or 1, got " + std::to_string(fitted));
  options_ = o;
  fitted_ = false;
  if (!fitted) return Status::OK();

  double t = 0, z = 0;
  uint64_t n = 0, peaks = 0, window_start = 0, dropped = 0;
  uint32_t method = 0;
  GpdFit gpd;
  VIGIL_RETURN_IF_ERROR(r.F64(field("init_threshold"), &t));
  if (!std::isfinite(t)) return bad("init_threshold", t, "finite");
  VIGIL_RETURN_IF_ERROR(r.U64(field("n"), &n));
  VIGIL_RETURN_IF_ERROR(r.U64(field("peaks"), &peaks));
  VIGIL_RETURN_IF_ERROR(r.U64(field("window_start"), &window_start));
  VIGIL_RETURN_IF_ERROR(r.U64(field("dropped"), &dropped));
  // The window (window_start, n] must hold at least one score and its peaks.
  if (window_start >= n || dropped > peaks || peaks - dropped > n - window_start) {
    return r.Error(field("counts"), "inconsistent counts: n " + std::to_string(n) + ", peaks " +
                                        std::to_string(peaks) + ", window_start " +
                                        std::to_string(window_start) + ", dropped " +
                                        std::to_string(dropped));
  }
  GpdCensoring censoring;
  VIGIL_RETURN_IF_ERROR(r.F64(field("censored_count"), &censoring.count));
  if (!std::isfinite(censoring.count) || censoring.count < 0) {
    return bad("censored_count", censoring.count, "finite and >= 0");
  }
  VIGIL_RETURN_IF_ERROR(r.F64(field("censored_at"), &censoring.at));
  if (!std::isfinite(censoring.at) || censoring.at < 0 || (censoring.count > 0 && censoring.at == 0)) {
    return bad("censored_at", censoring.at, censoring.count > 0 ? "finite and > 0" : "finite and >= 0");
  }
  VIGIL_RETURN_IF_ERROR(r.U32(field("gpd_method"), &method));
  if (method < 1 || method > 3)
    return r.Error(field("gpd_method"), "unknown method " + std::to_string(method));
  gpd.method = static_cast<GpdMethod>(method);
  VIGIL_RETURN_IF_ERROR(r.F64(field("gpd_gamma"), &gpd.gamma));
  if (!std::isfinite(gpd.gamma)) return bad("gpd_gamma", gpd.gamma, "finite");
  VIGIL_RETURN_IF_ERROR(r.F64(field("gpd_sigma"), &gpd.sigma));
  // sigma is 0 only for the empty tail (no peaks).
  bool empty_tail = peaks == dropped;
  if (!std::isfinite(gpd.sigma) || gpd.sigma < 0 || (!empty_tail && gpd.sigma == 0)) {
    return bad("gpd_sigma", gpd.sigma, empty_tail ? "finite and >= 0" : "finite and > 0");
  }
  VIGIL_RETURN_IF_ERROR(r.F64(field("gpd_root"), &gpd.root));
  if (!std::isfinite(gpd.root)) return bad("gpd_root", gpd.root, "finite");
  VIGIL_RETURN_IF_ERROR(r.F64(field("gpd_log_likelihood"), &gpd.log_likelihood));
  if (std::isnan(gpd.log_likelihood)) return bad("gpd_log_likelihood", gpd.log_likelihood, "not NaN");
  VIGIL_RETURN_IF_ERROR(r.F64(field("value"), &z));
  if (!std::isfinite(z) || z < t) return bad("value", z, "finite and >= init_threshold " + ShortestDouble(t));
  t_ = t;
  n_ = n;
  peaks_ = peaks;
  window_start_ = window_start;
  dropped_ = dropped;
  censoring_ = censoring;
  gpd_ = gpd;
  z_ = z;
  fitted_ = true;
  return Status::OK();
}

Status PotThreshold::Load(core::ByteReader& r) { return LoadTail(r, "pot", ThresholdKind::kPot); }

void PotThreshold::DescribeTail(std::ostream& os, std::string_view kind_name) const {
  os << "kind: " << kind_name << "\nrisk: " << ShortestDouble(options_.risk) << "\n";
  if (!fitted_) {
    os << "init_quantile: " << ShortestDouble(options_.init_quantile)
       << "\nmargin: " << ShortestDouble(options_.margin) << "\nvalue: not fitted\n";
    return;
  }
  os << "init_threshold: " << ShortestDouble(t_) << "\ngpd_sigma: " << ShortestDouble(gpd_.sigma)
     << "\ngpd_gamma: " << ShortestDouble(gpd_.gamma) << "\nvalue: " << ShortestDouble(value())
     << "\ninit_quantile: " << ShortestDouble(options_.init_quantile)
     << "\nmargin: " << ShortestDouble(options_.margin) << "\nscores: " << n_ << "\npeaks: " << peaks_
     << "\n";
}

void PotThreshold::Describe(std::ostream& os) const { DescribeTail(os, "pot"); }

}  // namespace vigil::threshold
