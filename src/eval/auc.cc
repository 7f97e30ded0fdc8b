// Ranking metrics over anomaly scores, O(n log n): one sort, then one pass over groups of
// equal scores, so ties are handled exactly rather than by an arbitrary order.
//
// AucRoc is the Mann-Whitney statistic: over all (positive, negative) pairs, the fraction
// where the positive scores higher, a tie counting 1/2. This equals the trapezoidal area
// under the ROC curve (sklearn.metrics.roc_auc_score).
//
// AucPr is average precision as sklearn.metrics.average_precision_score defines it:
// walk the distinct score thresholds from highest to lowest; at each, precision P_k and
// recall R_k are those of "flag every point scoring >= threshold"; AP = sum_k (R_k -
// R_{k-1}) * P_k with R_0 = 0. No interpolation: a step function, not the trapezoid,
// which would overstate the area.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "vigil/metrics.h"
#include "vigil/status.h"

namespace vigil {
namespace {

struct Scored {
  double score;
  bool is_nan;
  bool positive;
};

// Ranks best-first; NaN sits below every number, -inf included, and NaNs tie each other.
bool RanksHigher(const Scored& a, const Scored& b) {
  if (a.is_nan != b.is_nan) return b.is_nan;
  if (a.is_nan) return false;
  return a.score > b.score;
}

bool Tied(const Scored& a, const Scored& b) { return !RanksHigher(a, b) && !RanksHigher(b, a); }

struct Ranked {
  std::vector<Scored> items;  // best first
  uint64_t positives = 0, negatives = 0;
};

Ranked Rank(std::span<const double> scores, std::span<const uint8_t> truth) {
  VIGIL_CHECK(scores.size() == truth.size());
  Ranked r;
  r.items.reserve(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool pos = truth[i] != 0;
    r.items.push_back({scores[i], std::isnan(scores[i]), pos});
    (pos ? r.positives : r.negatives) += 1;
  }
  std::sort(r.items.begin(), r.items.end(), RanksHigher);
  return r;
}

// Calls fn(group_positives, group_negatives) for each run of tied scores, best first.
template <typename Fn>
void ForEachTieGroup(const std::vector<Scored>& items, Fn fn) {
  size_t i = 0;
  while (i < items.size()) {
    uint64_t p = 0, q = 0;
    size_t j = i;
    for (; j < items.size() && Tied(items[i], items[j]); ++j) (items[j].positive ? p : q) += 1;
    fn(p, q);
    i = j;
  }
}

}  // namespace

double AucRoc(std::span<const double> scores, std::span<const uint8_t> truth) {
  const Ranked r = Rank(scores, truth);
  if (r.positives == 0 || r.negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  // Twice the pair count, kept in integers so the result is exact up to the final division.
  uint64_t twice_wins = 0;
  uint64_t negatives_above = 0;
  ForEachTieGroup(r.items, [&](uint64_t p, uint64_t q) {
    const uint64_t negatives_below = r.negatives - negatives_above - q;
    twice_wins += p * (2 * negatives_below + q);
    negatives_above += q;
  });
  return static_cast<double>(twice_wins) /
         (2.0 * static_cast<double>(r.positives) * static_cast<double>(r.negatives));
}

double AucPr(std::span<const double> scores, std::span<const uint8_t> truth) {
  const Ranked r = Rank(scores, truth);
  if (r.positives == 0) return std::numeric_limits<double>::quiet_NaN();
  double weighted_precision = 0;
  uint64_t tp = 0, fp = 0;
  ForEachTieGroup(r.items, [&](uint64_t p, uint64_t q) {
    tp += p;
    fp += q;
    // Recall only moves when the group holds positives; ΔR = p / positives.
    if (p > 0) {
      weighted_precision += static_cast<double>(p) * static_cast<double>(tp) / static_cast<double>(tp + fp);
    }
  });
  return weighted_precision / static_cast<double>(r.positives);
}

}  // namespace vigil
