// vigil/threshold.h — thresholds learned without labels, and debounced alarms.
//
//   auto thr = vigil::MakeThreshold({.kind = vigil::ThresholdKind::kPot, .risk = 1e-3});
//   VIGIL_RETURN_IF_ERROR((*thr)->Fit(training_scores));   // scores of normal data only
//   vigil::Debouncer deb(/*min_run=*/3);
//   for (double s : live) {
//     bool above = (*thr)->Observe(s);   // SPOT adapts on normal scores here
//     bool alarm = deb.Step(above);
//   }
//
// Kinds
// - quantile: empirical quantile q of the training scores (q in (0,1]), times `margin`.
// - pot: peaks over threshold (Siffer et al., KDD'17). An initial threshold t at the
//   `init_quantile` of the training scores; the excesses over t are fitted with a
//   generalized Pareto distribution (Grimshaw's maximum-likelihood procedure); the
//   threshold is the score whose exceedance probability is `risk`.
// - spot: pot, then streaming: every observed score that is below the threshold but above
//   t is added to the excesses and the GPD is refitted, so the threshold follows normal
//   drift; scores above the threshold (anomalies) never update it.
// - fixed: a user-given value (`vigil score --threshold`).
// Not thread-safe (Observe mutates SPOT state).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>

#include "vigil/status.h"

namespace vigil {
namespace core {
class ByteWriter;
class ByteReader;
}  // namespace core

// Serialized in model files: values are fixed forever, append only.
enum class ThresholdKind : uint32_t {
  kQuantile = 1,
  kPot = 2,
  kSpot = 3,
  kFixed = 4,
};

struct ThresholdOptions {
  ThresholdKind kind = ThresholdKind::kPot;
  double quantile = 0.995;            // quantile
  double risk = 1e-3;                 // pot/spot: target exceedance probability per sample
  double init_quantile = 0.98;        // pot/spot: initial threshold t
  double margin = 1.0;                // multiplies the learned threshold (all learned kinds)
  double fixed_value = 0;             // fixed
  uint32_t spot_max_excesses = 2000;  // spot: excess buffer bound (oldest dropped); refit cost grows with it
};

// "quantile" | "pot" | "spot" | "fixed".
Result<ThresholdKind> ParseThresholdKind(std::string_view text);
std::string_view ThresholdKindName(ThresholdKind kind);

class Threshold {
 public:
  virtual ~Threshold() = default;
  virtual ThresholdKind kind() const = 0;
  // Learns from scores of normal data. InvalidArgument if too few scores for the method
  // (message says how many are needed) or options are out of range.
  virtual Status Fit(std::span<const double> scores) = 0;
  // Current threshold value.
  virtual double value() const = 0;
  // Returns score > value() (as it was before the call); SPOT then adapts.
  virtual bool Observe(double score) = 0;
  // Save writes the learned parameters and everything Observe has adapted since (spot's
  // excesses, counts and refit state), so a Load()ed copy continues a stream bit for bit:
  // stream checkpoints (StreamScorer::SaveState) rely on it.
  virtual void Save(core::ByteWriter& w) const = 0;
  virtual Status Load(core::ByteReader& r) = 0;
  virtual void Describe(std::ostream& os) const = 0;
};

// Validates options (InvalidArgument names the bad field and value).
Result<std::unique_ptr<Threshold>> MakeThreshold(const ThresholdOptions& options);
// Creates an empty threshold of a kind, to Load() into; nullptr for an unknown kind.
std::unique_ptr<Threshold> NewThreshold(ThresholdKind kind);

// Debounces a stream of exceedances into alarms: the alarm turns on after `min_run`
// consecutive exceedances and off at the first non-exceedance. min_run = 1 passes through.
class Debouncer {
 public:
  explicit Debouncer(uint32_t min_run = 1) : min_run_(min_run < 1 ? 1 : min_run) {}
  bool Step(bool above) {
    run_ = above ? run_ + 1 : 0;
    return run_ >= min_run_;
  }
  void Reset() { run_ = 0; }
  uint32_t min_run() const { return min_run_; }
  // Consecutive exceedances so far (0 after a non-exceedance).
  uint32_t run() const { return run_; }

  // Checkpoints the current run (and min_run, to be checked on load).
  void SaveState(core::ByteWriter& w) const;
  // Reads SaveState() bytes. Corruption (naming the field and byte offset) for truncated
  // bytes or a state saved with another min_run; on error nothing is changed.
  Status LoadState(core::ByteReader& r);

 private:
  uint32_t min_run_;
  uint32_t run_ = 0;
};

}  // namespace vigil
