// What one op of a model asks of the hardware, independent of where it runs: multiply-adds,
// the bytes of its weights in each storable dtype, the activation bytes it reads and writes, and
// which dtypes can run it. The planner's input (plan/planner.h) is a list of these, so any op —
// a packed network's layers, a detector's scoring arithmetic, transformer blocks — is costed by
// describing it here.
//
//   VIGIL_ASSIGN_OR_RETURN(std::vector<plan::OpCost> ops, plan::NetOpCosts(net, /*batch=*/1));
//   ops.push_back(plan::ReconstructionScoreCost(dim, 1));
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/packed_net.h"
#include "plan/device_profile.h"
#include "vigil/status.h"

namespace vigil::plan {

struct OpCost {
  std::string name;                          // "dense(128,relu)", "score: squared error"
  std::string kind = "other";                // "dense", "conv1d", ... (picks measured efficiencies)
  int64_t batch = 1;                         // samples per run
  double macs = 0;                           // multiply-adds per run of the batch
  std::array<double, kDTypes> weight_bytes = {};  // weights + bias stored in each dtype
  double input_bytes = 0;                    // activations read per run (FP32)
  double output_bytes = 0;                   // activations written per run (FP32)
  bool weighted = false;                     // false: elementwise / data movement only
  double out_width = 0;                      // outputs per row (Dense out, Conv1D channels); 0: n/a
  std::array<bool, kDTypes> can_run = {true, false, false};
  // The dtype the model stores the op's weights in now (what `vigil score` would run).
  nn::WeightType stored = nn::WeightType::kF32;

  double Bytes(nn::WeightType t) const { return weight_bytes[DTypeIndex(t)] + input_bytes + output_bytes; }
};

// One OpCost per layer of `net` at `batch` samples per run: Dense MACs batch·in·out; Conv1D
// batch·out_len·out_channels·kernel·in_channels; Upsample1D none (data movement only). Weight
// bytes are the packed sizes (nn::PackedWeightBytes) in FP32, FP16 and INT8; INT8 is offered
// where the layer's activation is none or relu (what the INT8 kernels fuse). InvalidArgument for
// batch < 1.
Result<std::vector<OpCost>> NetOpCosts(const nn::PackedNet& net, int64_t batch);

// The scoring step after an autoencoder: squared error per value against the input, summed per
// channel and overall (2 reads, 1 multiply-add per value; `values` per sample).
OpCost ReconstructionScoreCost(int64_t values, int64_t batch);

// A dense matrix-vector stage `in` → `out` over `batch` rows with FP32 weights only (e.g. PCA's
// projection and reconstruction).
OpCost FloatGemvCost(std::string name, int64_t in, int64_t out, int64_t batch);

// Transformer ops, per run of `batch` samples (FP32 activations):
// multi-head self-attention over [length, dim]: four dim×dim projections (weights in any dtype)
// plus the scores and the weighted sum, 2·length²·dim multiply-adds, the scores' bytes counted;
OpCost SelfAttentionCost(int64_t length, int64_t dim, int64_t heads, int64_t batch);
// layer norm over rows of `dim` (gamma, beta: FP32), softmax over rows of `cols`, and a batched
// [m, k]·[k, n] product of two activations, `count` of them per sample.
OpCost LayerNormCost(int64_t rows, int64_t dim, int64_t batch);
OpCost SoftmaxCost(int64_t rows, int64_t cols, int64_t batch);
OpCost MatMulCost(int64_t m, int64_t k, int64_t n, int64_t count, int64_t batch);

}  // namespace vigil::plan
