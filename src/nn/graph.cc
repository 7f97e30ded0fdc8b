#include "nn/graph.h"

#include <algorithm>
#include <string>
#include <utility>

namespace vigil::nn {
namespace {

Status Prefixed(const std::string& prefix, const Status& s) {
  return Status::InvalidArgument(prefix + s.message());
}

std::string NodeName(ValueId id) { return "node " + std::to_string(id) + ": "; }

// Tensors above this many bytes are refused at Plan: far beyond any detector and well inside
// size_t on every platform, so later byte arithmetic cannot overflow.
constexpr int64_t kMaxTensorBytes = int64_t{1} << 40;

}  // namespace

// ---------------------------------------------------------------------------------------------
// GraphBuilder

void GraphBuilder::Fail(Status s) {
  if (first_error_.ok()) first_error_ = std::move(s);
}

ValueId GraphBuilder::AddInput(std::vector<int64_t> sample_shape) {
  const ValueId id = static_cast<ValueId>(nodes_.size());
  const std::string name = NodeName(id) + "input " + std::to_string(num_inputs_++);
  Node node;
  if (sample_shape.empty() || sample_shape.size() + 1 > static_cast<size_t>(core::kMaxRank)) {
    Fail(Status::InvalidArgument(name + ": sample shape needs 1 to " + std::to_string(core::kMaxRank - 1) +
                                 " dims, got " + std::to_string(sample_shape.size())));
  } else {
    for (size_t d = 0; d < sample_shape.size(); ++d) {
      if (sample_shape[d] <= 0) {
        Fail(Status::InvalidArgument(name + ": dim " + std::to_string(d) + " is " +
                                     std::to_string(sample_shape[d]) + ", must be positive"));
      }
    }
    node.input_shape = core::Shape::Of(sample_shape);
  }
  nodes_.push_back(std::move(node));
  return id;
}

ValueId GraphBuilder::AddNode(Result<std::unique_ptr<Op>> op, std::vector<ValueId> inputs) {
  const ValueId id = static_cast<ValueId>(nodes_.size());
  Node node;
  node.inputs = std::move(inputs);
  if (op.ok()) {
    node.op = std::move(op).value();
  } else {
    Fail(Prefixed(NodeName(id), op.status()));
  }
  nodes_.push_back(std::move(node));
  return id;
}

ValueId GraphBuilder::AddDense(ValueId x, int64_t in, int64_t out, std::span<const float> weights,
                               std::span<const float> bias, kernels::Activation act) {
  return AddNode(CreateDenseOp(in, out, weights, bias, act), {x});
}

ValueId GraphBuilder::AddConv1D(ValueId x, const Conv1DParams& params, std::span<const float> weights,
                                std::span<const float> bias, kernels::Activation act) {
  return AddNode(CreateConv1DOp(params, weights, bias, act), {x});
}

ValueId GraphBuilder::AddDenseFromPacked(ValueId x, int64_t in, int64_t out, const PackedWeights& packed,
                                         kernels::Activation act) {
  return AddNode(CreateDenseOpFromPacked(in, out, packed, act), {x});
}

ValueId GraphBuilder::AddConv1DFromPacked(ValueId x, const Conv1DParams& params, const PackedWeights& packed,
                                          kernels::Activation act) {
  return AddNode(CreateConv1DOpFromPacked(params, packed, act), {x});
}

ValueId GraphBuilder::AddActivation(ValueId x, kernels::Activation act) {
  return AddNode(CreateActivationOp(act), {x});
}

ValueId GraphBuilder::AddAdd(ValueId a, ValueId b) {
  return AddNode(std::unique_ptr<Op>(CreateAddOp()), {a, b});
}

ValueId GraphBuilder::AddUpsample1D(ValueId x, int64_t factor) { return AddNode(CreateUpsample1DOp(factor), {x}); }

ValueId GraphBuilder::AddReshape(ValueId x, std::vector<int64_t> sample_shape) {
  return AddNode(CreateReshapeOp(sample_shape), {x});
}

ValueId GraphBuilder::AddReduceMeanSquaredError(ValueId a, ValueId b, ReduceAxes axes) {
  return AddNode(CreateReduceMeanSquaredErrorOp(axes), {a, b});
}

ValueId GraphBuilder::AddTransformerBlock(ValueId x, const TransformerBlockOpParams& params,
                                          std::span<const float> flat_params) {
  return AddNode(CreateTransformerBlockOp(params, flat_params), {x});
}

void GraphBuilder::MarkOutput(ValueId v) { outputs_.push_back(v); }

Result<Graph> GraphBuilder::Create() && {
  if (!first_error_.ok()) return first_error_;
  if (outputs_.empty()) return Status::InvalidArgument("graph has no outputs (call MarkOutput)");

  Graph g;
  const size_t n = nodes_.size();
  g.values_.resize(n);
  std::vector<bool> is_input(n, false);
  std::vector<int32_t> def_step(n, 0);  // op step that writes the value; inputs: 0
  std::vector<int32_t> last_use(n, 0);
  std::vector<bool> is_view(n, false);

  // Shapes, in order: every id refers to an earlier node, so one pass validates all.
  for (size_t i = 0; i < n; ++i) {
    Node& node = nodes_[i];
    const ValueId id = static_cast<ValueId>(i);
    if (node.op == nullptr) {
      is_input[i] = true;
      g.values_[i].sample_shape = node.input_shape;
      g.input_values_.push_back(id);
      continue;
    }
    const std::string where = NodeName(id);
    if (static_cast<int>(node.inputs.size()) != node.op->NumInputs()) {
      return Status::InvalidArgument(where + node.op->Kind() + ": expects " +
                                     std::to_string(node.op->NumInputs()) + " inputs, got " +
                                     std::to_string(node.inputs.size()));
    }
    std::vector<core::Shape> shapes;
    for (ValueId in : node.inputs) {
      if (in < 0 || in >= id) {
        return Status::InvalidArgument(where + node.op->Kind() + ": input id " + std::to_string(in) +
                                       " does not name an earlier value (valid: 0.." +
                                       std::to_string(id - 1) + ")");
      }
      shapes.push_back(g.values_[in].sample_shape);
    }
    Result<core::Shape> shape = node.op->InferShape(shapes);
    if (!shape.ok()) return Prefixed(where, shape.status());
    if (shape->rank + 1 > core::kMaxRank) {
      return Status::InvalidArgument(where + node.op->Kind() + ": output sample shape " + shape->ToString() +
                                     " has more than " + std::to_string(core::kMaxRank - 1) + " dims");
    }
    g.values_[i].sample_shape = *shape;
    is_view[i] = node.op->IsView();
    def_step[i] = static_cast<int32_t>(g.ops_.size());
    for (ValueId in : node.inputs) last_use[in] = std::max(last_use[in], def_step[i]);
    last_use[i] = std::max(last_use[i], def_step[i]);
    g.op_inputs_.push_back(node.inputs);
    g.op_outputs_.push_back(id);
    g.ops_.push_back(std::move(node.op));
  }
  const int32_t end_step = static_cast<int32_t>(g.ops_.size());

  for (size_t j = 0; j < outputs_.size(); ++j) {
    const ValueId v = outputs_[j];
    if (v < 0 || static_cast<size_t>(v) >= n) {
      return Status::InvalidArgument("output " + std::to_string(j) + ": id " + std::to_string(v) +
                                     " does not name a value (valid: 0.." + std::to_string(n - 1) + ")");
    }
    if (std::find(outputs_.begin(), outputs_.begin() + j, v) != outputs_.begin() + j) {
      return Status::InvalidArgument("output " + std::to_string(j) + ": value " + std::to_string(v) +
                                     " is already an output");
    }
    last_use[v] = end_step;  // outputs outlive every op
    g.output_values_.push_back(v);
  }

  // Storage: views share their source's; elementwise ops take over an input's storage when it
  // dies at that op (never a graph input's: the caller's data is read-only).
  std::vector<core::BufferRequest>& requests = g.requests_;
  std::vector<bool> storage_is_input;
  std::vector<bool> donated;
  for (size_t i = 0; i < n; ++i) {
    Graph::Value& val = g.values_[i];
    if (is_input[i]) {
      val.storage = static_cast<int32_t>(requests.size());
      requests.push_back({0, 0, last_use[i], -1});
      storage_is_input.push_back(true);
      donated.push_back(false);
      continue;
    }
    const int32_t step = def_step[i];
    const Op& op = *g.ops_[step];
    const std::vector<ValueId>& ins = g.op_inputs_[step];
    if (is_view[i]) {
      val.storage = g.values_[ins[0]].storage;
      core::BufferRequest& r = requests[val.storage];
      r.last_use = std::max(r.last_use, last_use[i]);
      continue;
    }
    int32_t reuse = -1;
    if (op.AllowsInPlace()) {
      for (ValueId in : ins) {
        const int32_t s = g.values_[in].storage;
        if (!storage_is_input[s] && !donated[s] && requests[s].last_use == step &&
            g.values_[in].sample_shape.NumElements() == val.sample_shape.NumElements()) {
          reuse = s;
          break;
        }
      }
    }
    if (reuse >= 0) donated[reuse] = true;
    val.storage = static_cast<int32_t>(requests.size());
    requests.push_back({0, step, last_use[i], reuse});
    storage_is_input.push_back(false);
    donated.push_back(false);
  }

  for (size_t j = 0; j < g.output_values_.size(); ++j) {
    const int32_t s = g.values_[g.output_values_[j]].storage;
    if (storage_is_input[s]) {
      return Status::InvalidArgument("output " + std::to_string(j) + ": value " +
                                     std::to_string(g.output_values_[j]) +
                                     " is a graph input or a view of one; nothing computes it");
    }
    for (size_t k = 0; k < j; ++k) {
      if (g.values_[g.output_values_[k]].storage == s) {
        return Status::InvalidArgument("outputs " + std::to_string(k) + " and " + std::to_string(j) +
                                       " are views of the same tensor; mark only one");
      }
    }
  }
  g.storage_bytes_per_sample_.assign(requests.size(), 0);
  for (const Graph::Value& val : g.values_) {
    g.storage_bytes_per_sample_[val.storage] =
        static_cast<size_t>(val.sample_shape.NumElements()) * sizeof(float);
  }
  return g;
}

// ---------------------------------------------------------------------------------------------
// Graph

Status Graph::Plan(int64_t batch, PlanOptions options) {
  planned_ = false;
  runnable_ = false;
  options_ = options;
  if (batch < 1) return Status::InvalidArgument("Plan: batch must be >= 1, got " + std::to_string(batch));
  for (size_t s = 0; s < requests_.size(); ++s) {
    if (static_cast<int64_t>(storage_bytes_per_sample_[s]) > kMaxTensorBytes / batch) {
      return Status::InvalidArgument("Plan: batch " + std::to_string(batch) + " makes a tensor of " +
                                     std::to_string(storage_bytes_per_sample_[s]) +
                                     " bytes per sample exceed 2^40 bytes");
    }
    requests_[s].bytes = storage_bytes_per_sample_[s] * static_cast<size_t>(batch);
  }
  stats_ = PlanStats{};
  for (const core::BufferRequest& r : requests_) stats_.activation_bytes += r.bytes;
  // External tensors take no arena bytes; an external output also takes its in-place donors
  // along (they are written into the caller's buffer).
  std::vector<core::BufferRequest> sized = requests_;
  if (options.external_inputs) {
    for (ValueId v : input_values_) sized[values_[v].storage].bytes = 0;
  }
  if (options.external_outputs) {
    for (ValueId v : output_values_) {
      for (int32_t r = values_[v].storage; r >= 0; r = sized[r].reuse_of) sized[r].bytes = 0;
    }
  }
  memory_ = core::PlanMemory(sized);
  external_.assign(sized.size(), false);
  for (size_t r = 0; r < sized.size(); ++r) external_[r] = sized[r].bytes == 0 && requests_[r].bytes > 0;
  VIGIL_RETURN_IF_ERROR(arena_.Allocate(memory_.peak_bytes));

  const int32_t num_slots =
      memory_.slot.empty() ? 0 : *std::max_element(memory_.slot.begin(), memory_.slot.end()) + 1;
  slot_binding_.assign(static_cast<size_t>(num_slots), nullptr);
  bound_inputs_.assign(input_values_.size(), nullptr);
  bound_outputs_.assign(output_values_.size(), nullptr);

  views_.assign(values_.size(), core::TensorView{});
  for (size_t v = 0; v < values_.size(); ++v) {
    core::Shape shape;
    const core::Shape& sample = values_[v].sample_shape;
    shape.rank = sample.rank + 1;
    shape.dims[0] = batch;
    for (int32_t d = 0; d < sample.rank; ++d) shape.dims[d + 1] = sample.dims[d];
    views_[v] = core::ContiguousView(nullptr, core::DType::kF32, shape);
  }

  steps_.clear();
  stats_.batch = batch;
  stats_.arena_bytes = memory_.peak_bytes;
  for (size_t k = 0; k < ops_.size(); ++k) {
    const Op& op = *ops_[k];
    stats_.weight_bytes += op.WeightBytes();
    if (op.IsView()) continue;
    Step step{&op, {-1, -1}, op_outputs_[k], static_cast<int>(op_inputs_[k].size())};
    for (size_t i = 0; i < op_inputs_[k].size(); ++i) {
      step.inputs[i] = op_inputs_[k][i];
      stats_.bytes_per_inference += core::ByteSize(views_[op_inputs_[k][i]]);
    }
    stats_.bytes_per_inference += op.WeightBytes() + core::ByteSize(views_[op_outputs_[k]]);
    steps_.push_back(step);
  }
  planned_ = true;
  RefreshViews();
  return Status::OK();
}

void Graph::RefreshViews() {
  for (size_t v = 0; v < values_.size(); ++v) {
    const int32_t request = values_[v].storage;
    void* bound = slot_binding_[memory_.slot[request]];
    if (bound != nullptr) {
      views_[v].data = bound;
    } else if (external_[request]) {
      views_[v].data = nullptr;  // Run refuses until bound
    } else {
      views_[v].data = arena_.data() + memory_.offsets[request];
    }
  }
  runnable_ = planned_;
  for (const float* p : bound_inputs_) runnable_ = runnable_ && (p != nullptr || !options_.external_inputs);
  for (const float* p : bound_outputs_) runnable_ = runnable_ && (p != nullptr || !options_.external_outputs);
  int copies = 0;
  for (const float* p : bound_inputs_) copies += p == nullptr ? 1 : 0;
  for (const float* p : bound_outputs_) copies += p == nullptr ? 1 : 0;
  for (const Step& step : steps_) {
    if (step.op->CopiesUnlessInPlace() && views_[step.inputs[0]].data != views_[step.output].data) {
      ++copies;
    }
  }
  stats_.copies = copies;
}

Status Graph::BindInput(int i, const float* data) {
  if (!planned_) return Status::InvalidArgument("BindInput: call Plan first");
  if (i < 0 || i >= num_inputs()) {
    return Status::InvalidArgument("BindInput: index " + std::to_string(i) + " out of range (graph has " +
                                   std::to_string(num_inputs()) + " inputs)");
  }
  if (data == nullptr && options_.external_inputs) {
    return Status::InvalidArgument("BindInput: input " + std::to_string(i) +
                                   " is external; it needs a buffer");
  }
  bound_inputs_[i] = data;
  // Inputs are never written (no op runs in place over an input's storage), so dropping const
  // here is safe.
  slot_binding_[memory_.slot[values_[input_values_[i]].storage]] = const_cast<float*>(data);
  RefreshViews();
  return Status::OK();
}

Status Graph::BindOutput(int j, float* data) {
  if (!planned_) return Status::InvalidArgument("BindOutput: call Plan first");
  if (j < 0 || j >= num_outputs()) {
    return Status::InvalidArgument("BindOutput: index " + std::to_string(j) + " out of range (graph has " +
                                   std::to_string(num_outputs()) + " outputs)");
  }
  if (data == nullptr && options_.external_outputs) {
    return Status::InvalidArgument("BindOutput: output " + std::to_string(j) +
                                   " is external; it needs a buffer");
  }
  bound_outputs_[j] = data;
  slot_binding_[memory_.slot[values_[output_values_[j]].storage]] = data;
  RefreshViews();
  return Status::OK();
}

void Graph::Run() {
  VIGIL_CHECK(runnable_);
  for (const Step& step : steps_) {
    const std::array<core::TensorView, 2> inputs = {
        views_[step.inputs[0]], step.inputs[1] >= 0 ? views_[step.inputs[1]] : core::TensorView{}};
    step.op->Run(std::span<const core::TensorView>(inputs.data(), static_cast<size_t>(step.num_inputs)),
                 views_[step.output]);
  }
}

}  // namespace vigil::nn
