#include "threshold/spot_threshold.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/byte_io.h"
#include "threshold/threshold_options.h"

namespace vigil::threshold {

Status SpotThreshold::Fit(std::span<const double> scores) {
  refits_since_search_ = 0;
  sums_ = GrimshawSums{};
  VIGIL_RETURN_IF_ERROR(
      FitTail(scores, options_.spot_max_excesses, "spot threshold", &excesses_, &arrivals_));
  trained_ = n_;
  return Status::OK();
}

GpdCensoring SpotThreshold::GateCensoring() const {
  double gate = value();
  uint64_t streamed = n_ - std::max(window_start_, trained_);
  if (!(gate > t_) || streamed == 0 || !(gpd_.sigma > 0)) return {};
  double m = censoring_.count;
  double rate = (static_cast<double>(window_peaks()) + m) / (static_cast<double>(window_scores()) + m);
  double above_gate = rate * GpdSurvival(gpd_.gamma, gpd_.sigma, gate - t_);
  if (!(above_gate > 0)) return {};
  return {above_gate * static_cast<double>(streamed), gate - t_};
}

bool SpotThreshold::Observe(double score) {
  if (!fitted_ || std::isnan(score)) return false;
  if (score > value()) return true;
  ++n_;
  if (!(score > t_)) return false;
  ++peaks_;
  if (excesses_.size() >= options_.spot_max_excesses) {
    sums_.Remove(excesses_.front());
    window_start_ = arrivals_.front();
    ++dropped_;
    excesses_.erase(excesses_.begin());
    arrivals_.erase(arrivals_.begin());
  }
  excesses_.push_back(score - t_);
  arrivals_.push_back(n_);
  sums_.Add(excesses_.back());
  // Computed before the refit from the model the new peak was judged by.
  censoring_ = GateCensoring();
  GpdFit fit;
  if (++refits_since_search_ >= kSpotFullSearchPeriod) {
    refits_since_search_ = 0;
    sums_.valid = false;
    fit = FitGpd(excesses_, censoring_);
  } else {
    fit = RefitGpd(excesses_, gpd_, &sums_, censoring_);
  }
  ApplyFit(fit, excesses_);
  return false;
}

void SpotThreshold::Save(core::ByteWriter& w) const {
  SaveTail(w);
  w.U32(options_.spot_max_excesses);
  if (!fitted_) return;
  w.U64(trained_);
  w.U32(refits_since_search_);
  w.F64Array(excesses_);
  for (uint64_t a : arrivals_) w.U64(a);
  w.U8(sums_.valid ? 1 : 0);
  w.F64(sums_.x);
}

Status SpotThreshold::Load(core::ByteReader& r) {
  VIGIL_RETURN_IF_ERROR(LoadTail(r, "spot", ThresholdKind::kSpot));
  uint32_t max_excesses = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("spot.max_excesses", &max_excesses));
  ThresholdOptions o = options_;
  o.spot_max_excesses = max_excesses;
  if (Status s = ValidateThresholdOptions(o); !s.ok()) {
    fitted_ = false;
    return r.Error("spot.max_excesses", s.message());
  }
  options_ = o;
  excesses_.clear();
  arrivals_.clear();
  trained_ = 0;
  refits_since_search_ = 0;
  sums_ = GrimshawSums{};
  if (!fitted_) return Status::OK();
  // Until the whole block is read and checked the threshold counts as unfitted, so a
  // failed Load never leaves a half-loaded threshold that fires.
  fitted_ = false;
  uint64_t trained = 0;
  VIGIL_RETURN_IF_ERROR(r.U64("spot.trained", &trained));
  if (trained == 0 || trained > n_) {
    return r.Error("spot.trained", "invalid value " + std::to_string(trained) +
                                       " (expected 1 .. n = " + std::to_string(n_) + ")");
  }
  uint32_t refits = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("spot.refits_since_search", &refits));
  if (refits >= kSpotFullSearchPeriod) {
    return r.Error("spot.refits_since_search", "invalid value " + std::to_string(refits) + " (expected < " +
                                                   std::to_string(kSpotFullSearchPeriod) + ")");
  }
  std::vector<double> excesses;
  VIGIL_RETURN_IF_ERROR(r.F64Array("spot.excesses", &excesses, max_excesses));
  if (excesses.size() != window_peaks()) {
    return r.Error("spot.excesses", std::to_string(excesses.size()) + " excesses stored for " +
                                        std::to_string(window_peaks()) + " peaks in the window");
  }
  for (size_t i = 0; i < excesses.size(); ++i) {
    if (!(excesses[i] > 0) || !std::isfinite(excesses[i])) {
      return r.Error("spot.excesses", "excess " + std::to_string(i) + " is " + ShortestDouble(excesses[i]) +
                                          " (expected finite and > 0)");
    }
  }
  std::vector<uint64_t> arrivals(excesses.size());
  uint64_t previous = window_start_;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(r.U64("spot.arrivals", &arrivals[i]));
    if (arrivals[i] <= previous || arrivals[i] > n_) {
      return r.Error("spot.arrivals", "arrival " + std::to_string(arrivals[i]) + " of excess " +
                                          std::to_string(i) + " is outside (" + std::to_string(previous) +
                                          ", " + std::to_string(n_) + "] or out of order");
    }
    previous = arrivals[i];
  }
  uint8_t sums_valid = 0;
  double sums_x = 0;
  VIGIL_RETURN_IF_ERROR(r.U8("spot.sums_valid", &sums_valid));
  if (sums_valid > 1) return r.Error("spot.sums_valid", "expected 0 or 1, got " + std::to_string(sums_valid));
  VIGIL_RETURN_IF_ERROR(r.F64("spot.sums_x", &sums_x));
  GrimshawSums sums;
  if (sums_valid) {
    // Between refits the kept sums are exactly one pass at sums_x, so recomputing them
    // restores the state bit for bit.
    sums = ComputeGrimshawSums(excesses, sums_x);
    if (!sums.valid)
      return r.Error("spot.sums_x",
                     "point " + ShortestDouble(sums_x) + " outside the domain of the excesses");
  } else {
    // Invalid sums are never read (the next refit starts with a pass), but their point is
    // saved: keeping it makes Save after Load reproduce the loaded bytes, so a restored
    // stream checkpoints exactly as the original would.
    sums.x = sums_x;
  }
  trained_ = trained;
  excesses_ = std::move(excesses);
  arrivals_ = std::move(arrivals);
  refits_since_search_ = refits;
  sums_ = sums;
  fitted_ = true;
  return Status::OK();
}

void SpotThreshold::Describe(std::ostream& os) const {
  DescribeTail(os, "spot");
  if (fitted_) {
    os << "excesses: " << excesses_.size() << "\nwindow_scores: " << window_scores()
       << "\ncensored: " << ShortestDouble(censoring_.count) << "\n";
  }
}

}  // namespace vigil::threshold
