// Isolation forest detector (Liu, Ting, Zhou, ICDM 2008) on raw channels: isolation depends
// only on the order of values within a channel, so no scaling is needed.
//   Fit:   iforest_trees trees, each on iforest_subsample rows (capped at the row count) drawn
//          without replacement with the seeded generator of iforest_random.h; see
//          iforest_forest.h for the tree construction and layout.
//   Score: 2^(−E[h(x)]/c(ψ)) in (0, 1]; equals −score_samples of scikit-learn's
//          IsolationForest for the same trees. Contributions: see iforest_score.h.
#include "detect/iforest_detector.h"

#include <new>
#include <ostream>
#include <string>

#include "core/byte_io.h"
#include "detect/iforest_forest.h"
#include "detect/iforest_score.h"
#include "detect/iforest_serialize.h"

namespace vigil::detect {
namespace {

// Payload version; bump when the layout below changes.
constexpr uint32_t kFormatVersion = 1;

class IForestDetector final : public Detector {
 public:
  explicit IForestDetector(const IForestParams& params) : params_(params) {}
  DetectorKind kind() const override { return DetectorKind::kIForest; }
  std::string_view name() const override { return "iforest"; }
  size_t dim() const override { return forest_.dim; }

  Status Fit(const float* x, size_t rows, size_t dim) override {
    try {
      Result<IForest> forest = BuildIForest(x, rows, dim, params_);
      if (!forest.ok()) return forest.status();
      forest_ = std::move(forest).value();
    } catch (const std::bad_alloc&) {
      return Status::InvalidArgument("iforest: out of memory fitting " + std::to_string(rows) + " rows x " +
                                     std::to_string(dim) + " channels");
    }
    return Status::OK();
  }

  void Score(const float* x, size_t rows, float* scores, float* contrib) const override {
    VIGIL_CHECK(!forest_.nodes.empty());  // Score() before Fit()/Load()
    ScoreIForest(forest_, x, rows, scores, contrib);
  }

  void Save(core::ByteWriter& w) const override {
    w.U32(kFormatVersion);
    w.U64(params_.seed);
    w.U32(params_.trees);
    w.U32(params_.subsample);
    SaveIForest(forest_, w);
  }

  Status Load(core::ByteReader& r) override {
    uint32_t version = 0;
    IForestParams params;
    VIGIL_RETURN_IF_ERROR(r.U32("iforest.version", &version));
    if (version != kFormatVersion) {
      return r.Error("iforest.version", "unsupported version " + std::to_string(version) +
                                            " (this build reads " + std::to_string(kFormatVersion) + ")");
    }
    VIGIL_RETURN_IF_ERROR(r.U64("iforest.seed", &params.seed));
    VIGIL_RETURN_IF_ERROR(r.U32("iforest.options.trees", &params.trees));
    if (params.trees == 0) return r.Error("iforest.options.trees", "0 trees");
    VIGIL_RETURN_IF_ERROR(r.U32("iforest.options.subsample", &params.subsample));
    if (params.subsample < 2) {
      return r.Error("iforest.options.subsample", "subsample " + std::to_string(params.subsample) + " < 2");
    }
    IForest forest;
    try {
      VIGIL_RETURN_IF_ERROR(LoadIForest(r, &forest));
    } catch (const std::bad_alloc&) {
      return r.Error("iforest.nodes", "out of memory building the scoring layout");
    }
    if (forest.trees() != params.trees) {
      return r.Error("iforest.trees", std::to_string(forest.trees()) + " trees stored, options say " +
                                          std::to_string(params.trees));
    }
    if (forest.subsample > params.subsample) {
      return r.Error("iforest.subsample", "subsample " + std::to_string(forest.subsample) +
                                              " exceeds the requested " + std::to_string(params.subsample));
    }
    params_ = params;
    forest_ = std::move(forest);
    return Status::OK();
  }

  void Describe(std::ostream& os) const override {
    const bool fitted = !forest_.nodes.empty();
    os << "detector: iforest\n"
       << "trees: " << params_.trees << "\n"
       << "subsample: " << (fitted ? forest_.subsample : params_.subsample) << "\n";
    if (fitted && forest_.subsample != params_.subsample) {
      os << "subsample_requested: " << params_.subsample << " (capped at the training rows)\n";
    }
    os << "height_limit: " << (fitted ? forest_.height_limit : HeightLimit(params_.subsample)) << "\n"
       << "nodes: " << forest_.nodes.size() << "\n"
       << "seed: " << params_.seed << "\n";
    if (fitted) {
      size_t leaves = 0;
      for (const IForestNode& n : forest_.nodes) leaves += n.leaf_size > 0;
      os << "dim: " << forest_.dim << "\n"
         << "leaves: " << leaves << "\n"
         << "max_depth: " << forest_.depth << "\n"
         << "node_bytes: " << ParameterBytes() << "\n";
    }
  }

  // The scoring layout, which is what Score() reads (log2_rows only for contributions).
  size_t ParameterBytes() const override {
    return forest_.cells.size() * sizeof(uint64_t) + forest_.log2_rows.size() * sizeof(float);
  }

 private:
  IForestParams params_;
  IForest forest_;
};

}  // namespace

Result<std::unique_ptr<Detector>> NewIForestDetector(const DetectorOptions& options) {
  if (options.iforest_trees == 0)
    return Status::InvalidArgument("iforest: iforest_trees must be >= 1, got 0");
  if (options.iforest_subsample < 2) {
    return Status::InvalidArgument("iforest: iforest_subsample must be >= 2, got " +
                                   std::to_string(options.iforest_subsample));
  }
  IForestParams params;
  params.trees = options.iforest_trees;
  params.subsample = options.iforest_subsample;
  params.seed = options.seed;
  return std::unique_ptr<Detector>(new IForestDetector(params));
}

}  // namespace vigil::detect
