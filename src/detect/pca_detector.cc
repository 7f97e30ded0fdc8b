// PCA Hotelling T² + Q (squared prediction error) on standardized channels.
//
// Fit: standardize with the training mean and standard deviation, eigen-decompose the
// covariance, keep the k leading components that explain `pca_explained_variance` of the
// variance. Score of a row z (standardized):
//   p = Pᵀz,  T² = Σ p_i²/λ_i,  r = z − P p,  Q = ‖r‖²
//   score = T²/c_T + Q/c_Q   (combine "sum")   or   max(T²/c_T, Q/c_Q)   (combine "max")
// where c_T and c_Q are the means of T² and Q over the training rows, so both statistics are
// in units of "typical normal" and neither dominates by scale. With `pca_normaliser_folds`
// K >= 2 the means are taken over out-of-fold statistics (each of K contiguous folds scored
// by a PCA fitted on the others): in-sample Q is optimistically small — the components were
// fitted to those very rows — so in-sample normalisers overweight Q against T² on new data.
// When k equals the dimension Q is identically 0 and only T² is used.
// Contributions: channel j gets max(z_j·(P Λ⁻¹ p)_j, 0)/c_T (its part of T², clamped at 0)
// plus r_j²/c_Q (its part of Q), normalised to sum 1.
#include "detect/pca_detector.h"

#include <algorithm>
#include <cmath>

#include "core/byte_io.h"
#include "detect/contiguous_folds.h"
#include "detect/symmetric_eigen.h"

namespace vigil::detect {
namespace {

// Serialized: values fixed, append only.
enum class Combine : uint32_t { kSum = 1, kMax = 2 };

constexpr size_t kBlock = 16;  // rows scored together so inner loops run across rows (SIMD)

// The block loops are plain C++ written for auto-vectorization; on x86-64 they are compiled
// twice (baseline SSE2 and x86-64-v3 = AVX2+FMA) and the loader picks the one the CPU runs.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VIGIL_PCA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VIGIL_PCA_CLONES
#endif

class PcaDetector final : public Detector {
 public:
  PcaDetector(double explained_variance, Combine combine, uint32_t normaliser_folds)
      : explained_variance_(explained_variance), combine_(combine), normaliser_folds_(normaliser_folds) {}
  DetectorKind kind() const override { return DetectorKind::kPca; }
  std::string_view name() const override { return "pca"; }
  size_t dim() const override { return mean_.size(); }

  Status Fit(const float* x, size_t rows, size_t d) override {
    if (d == 0) return Status::InvalidArgument("pca: no input channels");
    if (rows < d + 2) {
      return Status::InvalidArgument("pca: need at least " + std::to_string(d + 2) + " training rows for " +
                                     std::to_string(d) + " features, got " + std::to_string(rows));
    }
    std::vector<double> mean(d, 0), sd(d, 0);
    for (size_t r = 0; r < rows; ++r)
      for (size_t j = 0; j < d; ++j) mean[j] += x[r * d + j];
    for (auto& m : mean) m /= static_cast<double>(rows);
    for (size_t r = 0; r < rows; ++r)
      for (size_t j = 0; j < d; ++j) sd[j] += (x[r * d + j] - mean[j]) * (x[r * d + j] - mean[j]);
    for (auto& s : sd) {
      s = std::sqrt(s / static_cast<double>(rows - 1));
      if (!(s > 0)) s = 1;  // constant channel: departures scored in its own units
    }
    // Covariance of the standardized data (= correlation matrix).
    std::vector<double> cov(d * d, 0), z(d);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t j = 0; j < d; ++j) z[j] = (x[r * d + j] - mean[j]) / sd[j];
      for (size_t i = 0; i < d; ++i)
        for (size_t j = i; j < d; ++j) cov[i * d + j] += z[i] * z[j];
    }
    for (size_t i = 0; i < d; ++i)
      for (size_t j = i; j < d; ++j) cov[j * d + i] = cov[i * d + j] /= static_cast<double>(rows - 1);
    EigenResult eig = SymmetricEigen(cov, d);
    double total = 0;
    for (double& v : eig.values) {
      v = std::max(v, 0.0);
      total += v;
    }
    size_t k = d;
    if (total > 0) {
      double acc = 0;
      for (size_t i = 0; i < d; ++i) {
        acc += eig.values[i];
        if (acc >= explained_variance_ * total - 1e-12) {
          k = i + 1;
          break;
        }
      }
    }
    // Components with (numerically) zero variance cannot be whitened; leave them to Q.
    const double floor = std::max(total, 1.0) * 1e-9;
    while (k > 1 && eig.values[k - 1] <= floor) --k;

    mean_.assign(mean.begin(), mean.end());
    inv_sd_.resize(d);
    for (size_t j = 0; j < d; ++j) inv_sd_[j] = static_cast<float>(1.0 / sd[j]);
    k_ = k;
    components_.resize(d * k);
    inv_lambda_.resize(k);
    for (size_t i = 0; i < k; ++i) inv_lambda_[i] = static_cast<float>(1.0 / std::max(eig.values[i], floor));
    for (size_t j = 0; j < d; ++j)
      for (size_t i = 0; i < k; ++i) components_[j * k + i] = static_cast<float>(eig.vectors[j * d + i]);
    explained_ = 0;
    for (size_t i = 0; i < k; ++i) explained_ += total > 0 ? eig.values[i] / total : 1.0;

    // Normalisers: mean T² and Q over the training rows, in-sample or out-of-fold.
    c_t_ = c_q_ = 1;
    use_q_ = true;
    double st = 0, sq = 0;
    std::vector<float> t2(rows), q(rows);
    const bool cross_fitted = normaliser_folds_ >= 2 && rows >= normaliser_folds_ * (d + 2) * 2;
    if (cross_fitted) {
      VIGIL_RETURN_IF_ERROR(ForEachContiguousFold(
          x, rows, d, normaliser_folds_,
          [&](size_t, size_t begin, size_t size, const float* rest, size_t rest_rows) -> Status {
            PcaDetector sub(explained_variance_, combine_, 0);
            VIGIL_RETURN_IF_ERROR(sub.Fit(rest, rest_rows, d));
            sub.Statistics(x + begin * d, size, t2.data() + begin, q.data() + begin, nullptr);
            return Status::OK();
          }));
    } else {
      Statistics(x, rows, t2.data(), q.data(), nullptr);
    }
    for (size_t r = 0; r < rows; ++r) {
      st += t2[r];
      sq += q[r];
    }
    c_t_ = static_cast<float>(std::max(st / static_cast<double>(rows), 1e-12));
    use_q_ = k < d && sq > 0;
    c_q_ = use_q_ ? static_cast<float>(sq / static_cast<double>(rows)) : 1.0f;
    oof_scores_.clear();
    if (cross_fitted) {
      oof_scores_.resize(rows);
      for (size_t r = 0; r < rows; ++r) oof_scores_[r] = Combined(t2[r], q[r]);
    }
    return Status::OK();
  }

  void Score(const float* x, size_t rows, float* scores, float* contrib) const override {
    float t2[kBlock], q[kBlock];
    for (size_t r0 = 0; r0 < rows; r0 += kBlock) {
      size_t n = std::min(kBlock, rows - r0);
      Statistics(x + r0 * dim(), n, t2, q, contrib ? contrib + r0 * dim() : nullptr);
      for (size_t r = 0; r < n; ++r) scores[r0 + r] = Combined(t2[r], q[r]);
    }
  }

  void Save(core::ByteWriter& w) const override {
    w.U32(static_cast<uint32_t>(combine_));
    w.F64(explained_variance_);
    w.F64(explained_);
    w.U32(static_cast<uint32_t>(k_));
    w.U8(use_q_ ? 1 : 0);
    w.F32(c_t_);
    w.F32(c_q_);
    w.F32Array(mean_);
    w.F32Array(inv_sd_);
    w.F32Array(inv_lambda_);
    w.F32Array(components_);
  }

  Status Load(core::ByteReader& r) override {
    uint32_t combine = 0, k = 0;
    uint8_t use_q = 0;
    VIGIL_RETURN_IF_ERROR(r.U32("pca.combine", &combine));
    if (combine != 1 && combine != 2)
      return r.Error("pca.combine", "unknown value " + std::to_string(combine));
    combine_ = static_cast<Combine>(combine);
    VIGIL_RETURN_IF_ERROR(r.F64("pca.explained_variance_target", &explained_variance_));
    VIGIL_RETURN_IF_ERROR(r.F64("pca.explained_variance", &explained_));
    VIGIL_RETURN_IF_ERROR(r.U32("pca.components", &k));
    VIGIL_RETURN_IF_ERROR(r.U8("pca.use_q", &use_q));
    VIGIL_RETURN_IF_ERROR(r.F32("pca.c_t", &c_t_));
    VIGIL_RETURN_IF_ERROR(r.F32("pca.c_q", &c_q_));
    VIGIL_RETURN_IF_ERROR(r.F32Array("pca.mean", &mean_, 1 << 20));
    const size_t d = mean_.size();
    VIGIL_RETURN_IF_ERROR(r.F32Array("pca.inv_sd", &inv_sd_, d));
    VIGIL_RETURN_IF_ERROR(r.F32Array("pca.inv_lambda", &inv_lambda_, d));
    VIGIL_RETURN_IF_ERROR(r.F32Array("pca.components", &components_, d * d));
    if (d == 0 || k == 0 || k > d || use_q > 1 || inv_sd_.size() != d || inv_lambda_.size() != k ||
        components_.size() != d * k) {
      return r.Error("pca.components",
                     "inconsistent shapes (dim " + std::to_string(d) + ", k " + std::to_string(k) + ")");
    }
    auto finite_positive = [](float v) { return std::isfinite(v) && v > 0; };
    if (!finite_positive(c_t_) || !finite_positive(c_q_) ||
        !std::all_of(inv_sd_.begin(), inv_sd_.end(), finite_positive) ||
        !std::all_of(inv_lambda_.begin(), inv_lambda_.end(), finite_positive) ||
        !std::all_of(mean_.begin(), mean_.end(), [](float v) { return std::isfinite(v); }) ||
        !std::all_of(components_.begin(), components_.end(), [](float v) { return std::isfinite(v); })) {
      return r.Error("pca", "non-finite or non-positive parameter");
    }
    k_ = k;
    use_q_ = use_q != 0;
    return Status::OK();
  }

  void Describe(std::ostream& os) const override {
    os << "detector: pca (Hotelling T2 + Q)\n"
       << "combine: " << (combine_ == Combine::kSum ? "sum" : "max") << "\n"
       << "scaling: standard (mean, sd)\n"
       << "features: " << dim() << "\n"
       << "components: " << k_ << "\n"
       << "explained_variance: " << explained_ << " (target " << explained_variance_ << ")\n"
       << "t2_normaliser: " << c_t_ << "\n"
       << "q_normaliser: " << (use_q_ ? std::to_string(c_q_) : std::string("unused (k = dim)")) << "\n";
  }
  std::span<const float> OutOfFoldTrainingScores() const override { return oof_scores_; }
  size_t ParameterBytes() const override {
    return (mean_.size() + inv_sd_.size() + inv_lambda_.size() + components_.size() + 2) * sizeof(float);
  }

 private:
  float Combined(float t2, float q) const {
    float a = t2 / c_t_, b = use_q_ ? q / c_q_ : 0.0f;
    return combine_ == Combine::kSum ? a + b : std::max(a, b);
  }

  // T² and Q for n ≤ kBlock rows; optionally contributions. Loops over rows are innermost so
  // the compiler vectorizes them.
  VIGIL_PCA_CLONES void Statistics(const float* x, size_t n, float* t2, float* q, float* contrib) const {
    const size_t d = dim(), k = k_;
    if (n > kBlock) {  // only Fit passes more rows; process them in blocks
      for (size_t r0 = 0; r0 < n; r0 += kBlock) {
        size_t m = std::min(kBlock, n - r0);
        Statistics(x + r0 * d, m, t2 + r0, q + r0, contrib ? contrib + r0 * d : nullptr);
      }
      return;
    }
    // Sized for the largest supported dimension would be too big for the stack; blocks keep
    // the working set at (d + k) × kBlock floats in a small fixed buffer per 64 features.
    constexpr size_t kMaxStackDim = 256;
    float z[kMaxStackDim][kBlock];
    float p[kMaxStackDim][kBlock];
    if (d > kMaxStackDim) {
      StatisticsWide(x, n, t2, q, contrib);
      return;
    }
    if (n == kBlock) {
      for (size_t j = 0; j < d; ++j) {
        const float m = mean_[j], is = inv_sd_[j];
        for (size_t r = 0; r < kBlock; ++r) z[j][r] = (x[r * d + j] - m) * is;
      }
    } else {
      for (size_t j = 0; j < d; ++j) {
        for (size_t r = 0; r < kBlock; ++r) z[j][r] = r < n ? (x[r * d + j] - mean_[j]) * inv_sd_[j] : 0.0f;
      }
    }
    for (size_t i = 0; i < k; ++i)
      for (size_t r = 0; r < kBlock; ++r) p[i][r] = 0;
    for (size_t j = 0; j < d; ++j) {
      const float* pj = &components_[j * k];
      for (size_t i = 0; i < k; ++i)
        for (size_t r = 0; r < kBlock; ++r) p[i][r] += pj[i] * z[j][r];
    }
    if (!contrib) {
      // Score-only path: with orthonormal components, Q = ‖z‖² − ‖p‖², which saves the
      // reconstruction pass (the difference is clamped at 0 against rounding).
      float t[kBlock] = {}, zz[kBlock] = {}, pp[kBlock] = {};
      for (size_t j = 0; j < d; ++j)
        for (size_t r = 0; r < kBlock; ++r) zz[r] += z[j][r] * z[j][r];
      for (size_t i = 0; i < k; ++i) {
        const float il = inv_lambda_[i];
        for (size_t r = 0; r < kBlock; ++r) {
          const float p2 = p[i][r] * p[i][r];
          t[r] += p2 * il;
          pp[r] += p2;
        }
      }
      for (size_t r = 0; r < n; ++r) {
        t2[r] = t[r];
        q[r] = std::max(zz[r] - pp[r], 0.0f);
      }
      return;
    }
    float t[kBlock] = {}, qq[kBlock] = {};
    for (size_t i = 0; i < k; ++i)
      for (size_t r = 0; r < kBlock; ++r) t[r] += p[i][r] * p[i][r] * inv_lambda_[i];
    for (size_t j = 0; j < d; ++j) {
      const float* pj = &components_[j * k];
      float res[kBlock];
      for (size_t r = 0; r < kBlock; ++r) res[r] = z[j][r];
      for (size_t i = 0; i < k; ++i)
        for (size_t r = 0; r < kBlock; ++r) res[r] -= pj[i] * p[i][r];
      for (size_t r = 0; r < kBlock; ++r) qq[r] += res[r] * res[r];
      if (contrib) {
        for (size_t r = 0; r < n; ++r) {
          float w = 0;  // (P Λ⁻¹ p)_j
          for (size_t i = 0; i < k; ++i) w += pj[i] * inv_lambda_[i] * p[i][r];
          float ct = std::max(z[j][r] * w, 0.0f) / c_t_;
          float cq = use_q_ ? res[r] * res[r] / c_q_ : 0.0f;
          contrib[r * d + j] = ct + cq;
        }
      }
    }
    for (size_t r = 0; r < n; ++r) {
      t2[r] = t[r];
      q[r] = qq[r];
    }
    if (contrib) Normalise(contrib, n, d);
  }

  // Same computation, one row at a time, for dimensions above the stack buffers.
  void StatisticsWide(const float* x, size_t n, float* t2, float* q, float* contrib) const {
    const size_t d = dim(), k = k_;
    std::vector<float> z(d), p(k);
    for (size_t r = 0; r < n; ++r) {
      for (size_t j = 0; j < d; ++j) z[j] = (x[r * d + j] - mean_[j]) * inv_sd_[j];
      std::fill(p.begin(), p.end(), 0.0f);
      for (size_t j = 0; j < d; ++j)
        for (size_t i = 0; i < k; ++i) p[i] += components_[j * k + i] * z[j];
      float t = 0, qq = 0;
      for (size_t i = 0; i < k; ++i) t += p[i] * p[i] * inv_lambda_[i];
      for (size_t j = 0; j < d; ++j) {
        float res = z[j], w = 0;
        for (size_t i = 0; i < k; ++i) {
          res -= components_[j * k + i] * p[i];
          w += components_[j * k + i] * inv_lambda_[i] * p[i];
        }
        qq += res * res;
        if (contrib)
          contrib[r * d + j] = std::max(z[j] * w, 0.0f) / c_t_ + (use_q_ ? res * res / c_q_ : 0.0f);
      }
      t2[r] = t;
      q[r] = qq;
    }
    if (contrib) Normalise(contrib, n, d);
  }

  static void Normalise(float* contrib, size_t n, size_t d) {
    for (size_t r = 0; r < n; ++r) {
      float s = 0;
      for (size_t j = 0; j < d; ++j) s += contrib[r * d + j];
      float inv = s > 0 ? 1.0f / s : 0.0f;
      for (size_t j = 0; j < d; ++j) contrib[r * d + j] *= inv;
    }
  }

  // Options (fixed at construction or restored by Load).
  double explained_variance_;
  Combine combine_;
  uint32_t normaliser_folds_;
  // Learned parameters.
  double explained_ = 0;
  size_t k_ = 0;
  bool use_q_ = false;
  float c_t_ = 1, c_q_ = 1;
  std::vector<float> mean_, inv_sd_, inv_lambda_;
  std::vector<float> components_;  // d × k row-major
  std::vector<float> oof_scores_;  // not serialized: only Fit() produces them
};

}  // namespace

Result<std::unique_ptr<Detector>> NewPcaDetector(const DetectorOptions& options) {
  double ev = options.pca_explained_variance;
  if (!(ev > 0 && ev <= 1)) {
    return Status::InvalidArgument("pca: explained variance must be in (0, 1], got " + std::to_string(ev));
  }
  Combine c;
  if (options.pca_combine == "sum") {
    c = Combine::kSum;
  } else if (options.pca_combine == "max") {
    c = Combine::kMax;
  } else {
    return Status::InvalidArgument("pca: combine must be 'sum' or 'max', got '" + options.pca_combine + "'");
  }
  if (options.pca_normaliser_folds == 1 || options.pca_normaliser_folds > 100) {
    return Status::InvalidArgument("pca: normaliser folds must be 0 (in-sample) or 2..100, got " +
                                   std::to_string(options.pca_normaliser_folds));
  }
  return std::unique_ptr<Detector>(new PcaDetector(ev, c, options.pca_normaliser_folds));
}

}  // namespace vigil::detect
