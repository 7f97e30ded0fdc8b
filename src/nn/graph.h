// A static inference graph: build → Create (validate, pack weights) → Plan (allocate once) →
// Run (never allocates, never fails).
//
//   nn::GraphBuilder b;
//   nn::ValueId x = b.AddInput({640});
//   nn::ValueId h = b.AddDense(x, 640, 128, w1, b1, kernels::Activation::kRelu);
//   nn::ValueId y = b.AddDense(h, 128, 640, w2, b2, kernels::Activation::kNone);
//   b.MarkOutput(b.AddReduceMeanSquaredError(x, y, nn::ReduceAxes::kPerRow));
//   VIGIL_ASSIGN_OR_RETURN(nn::Graph g, std::move(b).Create());
//   VIGIL_RETURN_IF_ERROR(g.Plan(/*batch=*/7));
//   VIGIL_RETURN_IF_ERROR(g.BindInput(0, frames));     // 7 × 640 floats, read in place
//   VIGIL_RETURN_IF_ERROR(g.BindOutput(0, scores));    // 7 floats, written in place
//   g.Run();
//
// Shapes given to the builder are per sample (no batch dim, at most 3 dims); Plan(batch)
// prepends the batch dim to every tensor. All tensors are f32, row-major, channels-last: a
// Conv1D sample is [length, channels] and Dense acts on the last dim.
//
// Memory: every intermediate tensor lives in one 64-byte aligned arena laid out by
// core::PlanMemory from the tensors' lifetimes. Reshape is a view (no copy). Elementwise ops
// (Activation, Add) overwrite an input that dies at that op. Graph inputs are never
// overwritten. Inputs and outputs get arena slots too, so Run works unbound (write the input
// through input(i).data, read output(j).data); binding the caller's buffers instead removes
// those copies.
//
// Thread-safety: const methods are safe concurrently; Run and Bind* mutate the arena and the
// bindings, so one Graph serves one thread at a time (make one Graph per thread).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/arena.h"
#include "core/tensor.h"
#include "kernels/dense.h"
#include "nn/op.h"
#include "nn/ops/ops.h"
#include "vigil/status.h"

namespace vigil::nn {

using ValueId = int32_t;

struct PlanStats {
  int64_t batch = 0;
  size_t arena_bytes = 0;          // peak arena size from the planner
  size_t activation_bytes = 0;     // sum of every tensor's bytes (views excluded), none sharing
  size_t weight_bytes = 0;         // packed weights and biases
  size_t bytes_per_inference = 0;  // Σ over ops of input + weight + output bytes (views: 0)
  // Full-tensor copies a Run implies with the current bindings: unbound inputs and outputs
  // (the caller copies through the arena) plus activations that could not run in place.
  int copies = 0;
};

// Inputs/outputs declared external get no arena space: the caller must bind every one of them
// before Run (VIGIL_CHECK), and the arena holds only intermediate tensors.
struct PlanOptions {
  bool external_inputs = false;
  bool external_outputs = false;
};

class Graph;

// Records ops; errors are kept and reported by Create (the first one, naming the op index and
// kind), so a build sequence needs no error checks between calls. Ids refer to values added
// earlier; an out-of-range id is reported by Create.
class GraphBuilder {
 public:
  ValueId AddInput(std::vector<int64_t> sample_shape);
  ValueId AddDense(ValueId x, int64_t in, int64_t out, std::span<const float> weights,
                   std::span<const float> bias, kernels::Activation act);
  ValueId AddConv1D(ValueId x, const Conv1DParams& params, std::span<const float> weights,
                    std::span<const float> bias, kernels::Activation act);
  // The same layers over weights already packed (ops/packed_weights.h: FP32 or FP16; a Conv1D
  // packed as a Dense of kernel·in_channels inputs), 64-byte aligned, borrowed: the caller keeps
  // them alive as long as the graph (e.g. a memory-mapped model file). Nothing is copied.
  ValueId AddDenseFromPacked(ValueId x, int64_t in, int64_t out, const PackedWeights& packed,
                             kernels::Activation act);
  ValueId AddConv1DFromPacked(ValueId x, const Conv1DParams& params, const PackedWeights& packed,
                              kernels::Activation act);
  ValueId AddActivation(ValueId x, kernels::Activation act);
  ValueId AddAdd(ValueId a, ValueId b);
  ValueId AddReshape(ValueId x, std::vector<int64_t> sample_shape);
  // [length, channels] → [length·factor, channels], each row repeated.
  ValueId AddUpsample1D(ValueId x, int64_t factor);
  ValueId AddReduceMeanSquaredError(ValueId a, ValueId b, ReduceAxes axes);
  // A transformer encoder block on [length, dim] (ops.h CreateTransformerBlockOp; copies).
  ValueId AddTransformerBlock(ValueId x, const TransformerBlockOpParams& params, std::span<const float> flat_params);
  void MarkOutput(ValueId v);

  // Validates shapes in order. The builder is consumed.
  Result<Graph> Create() &&;

 private:
  struct Node {
    std::unique_ptr<Op> op;  // null for graph inputs
    std::vector<ValueId> inputs;
    core::Shape input_shape;  // graph inputs only
  };
  ValueId AddNode(Result<std::unique_ptr<Op>> op, std::vector<ValueId> inputs);
  void Fail(Status s);

  std::vector<Node> nodes_;  // node i defines value i
  std::vector<ValueId> outputs_;
  Status first_error_;
  int num_inputs_ = 0;
};

class Graph {
 public:
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  int num_inputs() const { return static_cast<int>(input_values_.size()); }
  int num_outputs() const { return static_cast<int>(output_values_.size()); }
  // Per-sample shapes.
  const core::Shape& input_shape(int i) const { return values_[input_values_[i]].sample_shape; }
  const core::Shape& output_shape(int j) const { return values_[output_values_[j]].sample_shape; }

  // Lays out every tensor for `batch` samples and allocates the arena (once; a later Plan
  // replaces it and drops bindings). InvalidArgument for batch < 1 or absurd tensor sizes.
  Status Plan(int64_t batch, PlanOptions options = {});

  // Points input i (output j) at the caller's buffer of batch × sample elements, which must
  // stay valid while Run is called and must not overlap another bound buffer; any alignment
  // works. nullptr restores the arena slot.
  // InvalidArgument for an index out of range, a call before Plan, or nullptr for an
  // external input/output.
  Status BindInput(int i, const float* data);
  Status BindOutput(int j, float* data);

  // Views with the batch dim (valid after Plan, until the next Plan/Bind).
  const core::TensorView& input(int i) const { return views_[input_values_[i]]; }
  const core::TensorView& output(int j) const { return views_[output_values_[j]]; }

  // Runs every op in order. Requires a successful Plan and every external input/output bound
  // (VIGIL_CHECK). Never allocates.
  void Run();

  const PlanStats& stats() const { return stats_; }

 private:
  friend class GraphBuilder;
  Graph() = default;

  struct Value {
    core::Shape sample_shape;
    int32_t storage = -1;  // planner request index; views share their source's
  };
  struct Step {
    const Op* op;
    std::array<ValueId, 2> inputs;  // -1 when unused
    ValueId output;
    int num_inputs;
  };
  // Recomputes every view's data pointer from the plan and the bindings, and the copy count.
  void RefreshViews();

  std::vector<std::unique_ptr<Op>> ops_;
  std::vector<std::vector<ValueId>> op_inputs_;  // per op
  std::vector<ValueId> op_outputs_;              // per op
  std::vector<Value> values_;
  std::vector<ValueId> input_values_;
  std::vector<ValueId> output_values_;
  // One planner request per storage; bytes filled by Plan(batch).
  std::vector<core::BufferRequest> requests_;
  std::vector<size_t> storage_bytes_per_sample_;

  // Set by Plan.
  core::Arena arena_;
  core::MemoryPlan memory_;
  std::vector<core::TensorView> views_;  // per value
  std::vector<Step> steps_;              // non-view ops
  std::vector<const float*> bound_inputs_;
  std::vector<float*> bound_outputs_;
  std::vector<bool> external_;       // per planner request: no arena bytes
  std::vector<void*> slot_binding_;  // per planner slot: caller buffer or null (arena)
  PlanStats stats_;
  PlanOptions options_;
  bool planned_ = false;
  bool runnable_ = false;  // planned and every external input/output bound
};

}  // namespace vigil::nn
