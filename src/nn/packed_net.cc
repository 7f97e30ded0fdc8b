#include "nn/packed_net.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <sstream>

#include "kernels/dense.h"

namespace vigil::nn {
namespace {

constexpr uint32_t kPackedNetVersion = 2;
constexpr uint32_t kMaxLayers = 256;
constexpr int64_t kMaxDim = int64_t{1} << 24;
// Elements of any one tensor per sample. Scoring plans graphs for 64 rows, so this bounds each
// planned tensor at 256 MiB: a damaged or hostile file cannot make loading allocate without
// limit (a few Upsample1D layers need no weights yet multiply the length).
constexpr int64_t kMaxElements = int64_t{1} << 20;

int64_t Product(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

// Walks the layers from the input shape, filling the packed input width of each layer (0 for
// Upsample1D). Returns what does not fit, naming the layer, or an empty string.
std::string ChainShapes(const std::vector<int64_t>& input_shape, const std::vector<train::LayerSpec>& layers,
                        std::vector<int64_t>* in_features) {
  std::vector<int64_t> shape = input_shape;
  in_features->clear();
  for (size_t i = 0; i < layers.size(); ++i) {
    const train::LayerSpec& l = layers[i];
    const std::string where = "layer " + std::to_string(i) + ": ";
    if (l.kind == train::LayerKind::kDense) {
      if (l.out < 1 || l.out > kMaxDim) return where + "dense out " + std::to_string(l.out);
      in_features->push_back(Product(shape));
      shape = {l.out};
    } else if (l.kind == train::LayerKind::kConv1D) {
      if (shape.size() != 2) return where + "conv1d needs a [length, channels] input";
      if (l.out < 1 || l.out > kMaxDim || l.kernel < 1 || l.kernel > 4096 || l.stride < 1 || l.stride > 4096 ||
          l.padding < 0 || l.padding > 4096 || l.dilation < 1 || l.dilation > 4096) {
        return where + "conv1d parameters out of range";
      }
      const int64_t span = l.dilation * (l.kernel - 1) + 1;
      const int64_t padded = shape[0] + 2 * l.padding;
      if (padded < span) return where + "conv1d kernel longer than its input";
      in_features->push_back(l.kernel * shape[1]);
      shape = {(padded - span) / l.stride + 1, l.out};
    } else if (l.kind == train::LayerKind::kUpsample1D) {
      if (shape.size() != 2) return where + "upsample1d needs a [length, channels] input";
      if (l.factor < 1 || l.factor > 4096 || shape[0] * l.factor > kMaxDim) {
        return where + "upsample1d factor out of range";
      }
      in_features->push_back(0);
      shape = {shape[0] * l.factor, shape[1]};
    } else if (l.kind == train::LayerKind::kTransformerBlock) {
      if (shape.size() != 2) return where + "transformer block needs a [length, channels] input";
      if (l.kernel < 1 || shape[1] % l.kernel != 0 || l.out < 1 || l.out > 16384 || shape[0] > 4096 ||
          shape[1] > 4096 || l.activation != kernels::Activation::kNone) {
        return where + "transformer block parameters out of range";
      }
      in_features->push_back(shape[1]);  // the block's width: its parameter count follows from it
    } else {
      return where + "unknown layer kind " + std::to_string(static_cast<uint32_t>(l.kind));
    }
    if (Product(shape) > kMaxElements) {
      return where + "output of " + std::to_string(Product(shape)) + " values per sample exceeds " +
             std::to_string(kMaxElements);
    }
  }
  return "";
}

// A transformer block keeps its flat FP32 parameters (BlockLayout order) whatever the type asked.
size_t BlockBytes(const train::LayerSpec& l, int64_t width) {
  const train::BlockSpec spec{.dim = width, .heads = l.kernel, .hidden = l.out, .ln_eps = 1e-5f};
  return static_cast<size_t>(train::BlockLayout(spec).size) * sizeof(float);
}

size_t PackedBytes(const train::LayerSpec& l, int64_t in_features, WeightType type) {
  if (l.kind == train::LayerKind::kUpsample1D) return 0;
  if (l.kind == train::LayerKind::kTransformerBlock) return BlockBytes(l, in_features);
  return PackedWeightBytes(type, static_cast<size_t>(in_features), static_cast<size_t>(l.out));
}

const char* ActivationName(kernels::Activation a) {
  switch (a) {
    case kernels::Activation::kNone: return "linear";
    case kernels::Activation::kRelu: return "relu";
    case kernels::Activation::kLeakyRelu: return "leaky_relu";
    case kernels::Activation::kTanh: return "tanh";
    case kernels::Activation::kSigmoid: return "sigmoid";
    case kernels::Activation::kGelu: return "gelu";
  }
  return "?";
}

}  // namespace

Result<PackedNet> PackedNet::FromParams(const train::NetParams& params) {
  VIGIL_RETURN_IF_ERROR(train::ValidateNetParams(params));
  PackedNet net;
  net.input_shape_ = params.input_shape;
  for (const auto& layer : params.layers) net.layers_.push_back(layer.spec);
  if (std::string problem = ChainShapes(net.input_shape_, net.layers_, &net.in_features_); !problem.empty()) {
    return Status::InvalidArgument(problem);
  }
  std::vector<size_t> offsets;
  size_t total = 0;
  for (size_t i = 0; i < net.layers_.size(); ++i) {
    offsets.push_back(total);
    // Each layer's block starts on a 64-byte boundary, as in the file.
    total += core::AlignUp(PackedBytes(net.layers_[i], net.in_features_[i], WeightType::kF32), core::kArenaAlignment);
  }
  VIGIL_RETURN_IF_ERROR(net.storage_.Allocate(total));
  for (size_t i = 0; i < net.layers_.size(); ++i) {
    const size_t n = PackedBytes(net.layers_[i], net.in_features_[i], WeightType::kF32);
    uint8_t* dst = net.storage_.data() + offsets[i];
    if (n > 0 && params.layers[i].spec.kind == train::LayerKind::kTransformerBlock) {
      std::memcpy(dst, params.layers[i].weights.data(), n);
    } else if (n > 0) {
      const auto& p = params.layers[i];
      kernels::PackDense(p.weights.data(), p.bias.data(), static_cast<size_t>(net.in_features_[i]),
                         static_cast<size_t>(p.spec.out), reinterpret_cast<float*>(dst));
    }
    net.packed_.push_back({WeightType::kF32, {dst, n}});
  }
  return net;
}

Result<PackedNet> PackedNet::ConvertWeights(WeightType type, std::span<const kernels::QuantParams> input_params) const {
  return ConvertLayers(std::vector<WeightType>(layers_.size(), type), input_params);
}

Result<PackedNet> PackedNet::ConvertLayers(std::span<const WeightType> types,
                                           std::span<const kernels::QuantParams> input_params) const {
  if (types.size() != layers_.size()) {
    return Status::InvalidArgument("one weight type per layer: " + std::to_string(layers_.size()) + " layers, " +
                                   std::to_string(types.size()) + " types");
  }
  bool any_int8 = false;
  for (WeightType type : types) {
    if (PackedWeightBytes(type, 1, 1) == 0) {
      return Status::InvalidArgument("unknown weight type " + std::to_string(static_cast<uint32_t>(type)));
    }
    any_int8 |= type == WeightType::kInt8;
  }
  if (any_int8 && input_params.size() != layers_.size()) {
    return Status::InvalidArgument("int8 needs the input quantization of each of the " +
                                   std::to_string(layers_.size()) + " layers (calibration data)");
  }
  PackedNet net;
  net.input_shape_ = input_shape_;
  net.layers_ = layers_;
  net.in_features_ = in_features_;
  std::vector<size_t> offsets;
  size_t total = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const WeightType type = types[i];
    if (!packed_[i].bytes.empty() && packed_[i].type != type && packed_[i].type != WeightType::kF32) {
      return Status::InvalidArgument(std::string("layer ") + std::to_string(i) + " holds " +
                                     WeightTypeName(packed_[i].type) + " weights; converting them to " + WeightTypeName(type) +
                                     " would not restore what was rounded away (convert the f32 model instead)");
    }
    offsets.push_back(total);
    // Room for either form: an INT8 conversion may keep a layer in FP32.
    total += core::AlignUp(std::max(PackedBytes(layers_[i], in_features_[i], type), packed_[i].bytes.size()),
                           core::kArenaAlignment);
  }
  VIGIL_RETURN_IF_ERROR(net.storage_.Allocate(total));
  for (size_t i = 0; i < layers_.size(); ++i) {
    const WeightType type = types[i];
    const PackedWeights& from = packed_[i];
    uint8_t* dst = net.storage_.data() + offsets[i];
    size_t n = PackedBytes(layers_[i], in_features_[i], type);
    const bool block = layers_[i].kind == train::LayerKind::kTransformerBlock;
    WeightType stored = n == 0 || block ? WeightType::kF32 : type;
    if (block) {  // kept in FP32: the block's kernels have no reduced-precision form
      std::copy(from.bytes.begin(), from.bytes.end(), dst);
      net.packed_.push_back({stored, {dst, from.bytes.size()}});
      continue;
    }
    const auto in = static_cast<size_t>(in_features_[i]);
    const auto out = static_cast<size_t>(layers_[i].out);
    if (from.type == type) {
      std::copy(from.bytes.begin(), from.bytes.end(), dst);
    } else if (type == WeightType::kF16 && n > 0) {
      kernels::PackDenseF16FromF32(reinterpret_cast<const float*>(from.bytes.data()), in, out, dst);
    } else if (type == WeightType::kInt8 && n > 0) {
      std::vector<float> w(in * out), bias(out);
      kernels::UnpackDense(reinterpret_cast<const float*>(from.bytes.data()), in, out, w.data(), bias.data());
      if (!PackInt8Layer(w.data(), bias.data(), in, out, input_params[i], layers_[i].activation, dst)) {
        // Not representable in INT8: this layer keeps its FP32 weights (its block is large enough).
        stored = WeightType::kF32;
        n = from.bytes.size();
        std::copy(from.bytes.begin(), from.bytes.end(), dst);
      }
    }
    net.packed_.push_back({stored, {dst, n}});
  }
  return net;
}

WeightType PackedNet::weight_type() const {
  // Enum order is not precision order: rank explicitly.
  auto bits = [](WeightType t) { return t == WeightType::kInt8 ? 8 : t == WeightType::kF16 ? 16 : 32; };
  WeightType lowest = WeightType::kF32;
  for (const PackedWeights& p : packed_) {
    if (!p.bytes.empty() && bits(p.type) < bits(lowest)) lowest = p.type;
  }
  return lowest;
}

void PackedNet::Save(core::ByteWriter& w) const {
  w.U32(kPackedNetVersion);
  w.U32(static_cast<uint32_t>(input_shape_.size()));
  for (int64_t d : input_shape_) w.I64(d);
  w.U32(static_cast<uint32_t>(layers_.size()));
  for (size_t i = 0; i < layers_.size(); ++i) {
    const train::LayerSpec& l = layers_[i];
    w.U32(static_cast<uint32_t>(l.kind));
    w.I64(l.out);
    w.I64(l.kernel);
    w.I64(l.stride);
    w.I64(l.padding);
    w.I64(l.dilation);
    w.I64(l.factor);
    w.U32(static_cast<uint32_t>(l.activation));
    w.U32(static_cast<uint32_t>(packed_[i].type));
    w.U64(packed_[i].bytes.size());
    if (packed_[i].bytes.empty()) continue;
    w.Align(core::kArenaAlignment);
    w.Raw(packed_[i].bytes.data(), packed_[i].bytes.size());
  }
}

Result<PackedNet> PackedNet::Load(core::ByteReader& r) {
  PackedNet net;
  uint32_t version = 0, rank = 0, count = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("net.version", &version));
  if (version < 1 || version > kPackedNetVersion) {
    return r.Error("net.version", "unsupported version " + std::to_string(version));
  }
  VIGIL_RETURN_IF_ERROR(r.U32("net.input_rank", &rank));
  if (rank < 1 || rank > 2) return r.Error("net.input_rank", "must be 1 or 2, found " + std::to_string(rank));
  net.input_shape_.resize(rank);
  for (int64_t& d : net.input_shape_) {
    VIGIL_RETURN_IF_ERROR(r.I64("net.input_dim", &d));
    if (d < 1 || d > kMaxDim) return r.Error("net.input_dim", "out of range: " + std::to_string(d));
  }
  if (Product(net.input_shape_) > kMaxElements) return r.Error("net.input_dim", "input too large");
  VIGIL_RETURN_IF_ERROR(r.U32("net.layer_count", &count));
  if (count < 1 || count > kMaxLayers) {
    return r.Error("net.layer_count", "must be in 1.." + std::to_string(kMaxLayers) + ", found " + std::to_string(count));
  }
  // Borrow only when something keeps the bytes alive and the file offsets give aligned
  // pointers; otherwise copy every layer into one owned block.
  std::vector<std::span<const uint8_t>> raw(count);
  std::vector<WeightType> types(count, WeightType::kF32);
  for (uint32_t i = 0; i < count; ++i) {
    train::LayerSpec l;
    uint32_t kind = 0, act = 0;
    VIGIL_RETURN_IF_ERROR(r.U32("net.layer.kind", &kind));
    if (kind > static_cast<uint32_t>(train::LayerKind::kTransformerBlock)) {
      return r.Error("net.layer.kind", "layer " + std::to_string(i) + ": unknown layer kind " + std::to_string(kind));
    }
    VIGIL_RETURN_IF_ERROR(r.I64("net.layer.out", &l.out));
    VIGIL_RETURN_IF_ERROR(r.I64("net.layer.kernel", &l.kernel));
    VIGIL_RETURN_IF_ERROR(r.I64("net.layer.stride", &l.stride));
    VIGIL_RETURN_IF_ERROR(r.I64("net.layer.padding", &l.padding));
    VIGIL_RETURN_IF_ERROR(r.I64("net.layer.dilation", &l.dilation));
    VIGIL_RETURN_IF_ERROR(r.I64("net.layer.factor", &l.factor));
    VIGIL_RETURN_IF_ERROR(r.U32("net.layer.activation", &act));
    l.kind = static_cast<train::LayerKind>(kind);
    l.activation = static_cast<kernels::Activation>(act);
    if (act > static_cast<uint32_t>(kernels::Activation::kGelu)) {
      return r.Error("net.layer.activation", "unknown activation " + std::to_string(act));
    }
    net.layers_.push_back(l);
    if (std::string problem = ChainShapes(net.input_shape_, net.layers_, &net.in_features_); !problem.empty()) {
      return r.Error("net.layer", problem);
    }
    if (version >= 2) {
      uint32_t type = 0;
      VIGIL_RETURN_IF_ERROR(r.U32("net.layer.weight_type", &type));
      if (PackedWeightBytes(static_cast<WeightType>(type), 1, 1) == 0) {
        return r.Error("net.layer.weight_type", "layer " + std::to_string(i) + ": unknown weight type " +
                                                    std::to_string(type));
      }
      types[i] = static_cast<WeightType>(type);
      if (l.kind == train::LayerKind::kTransformerBlock && types[i] != WeightType::kF32) {
        return r.Error("net.layer.weight_type", "layer " + std::to_string(i) + ": a transformer block is stored as f32");
      }
    }
    uint64_t count_field = 0;
    VIGIL_RETURN_IF_ERROR(r.U64("net.layer.packed_count", &count_field));
    // Version 1 counted floats, version 2 counts bytes.
    const size_t unit = version == 1 ? sizeof(float) : 1;
    const size_t expected = PackedBytes(l, net.in_features_[i], types[i]);
    if (count_field != expected / unit) {
      return r.Error("net.layer.packed_count", "layer " + std::to_string(i) + " has " + std::to_string(count_field) +
                                                   (unit == 1 ? " packed bytes" : " packed floats") +
                                                   ", its shape needs " + std::to_string(expected / unit));
    }
    if (expected == 0) continue;
    VIGIL_RETURN_IF_ERROR(r.Align(core::kArenaAlignment));
    VIGIL_RETURN_IF_ERROR(r.View("net.layer.weights", expected, &raw[i]));
  }
  bool borrow = r.owner() != nullptr;
  size_t total = 0;
  for (const auto& bytes : raw) {
    if (reinterpret_cast<uintptr_t>(bytes.data()) % core::kArenaAlignment != 0) borrow = false;
    total += core::AlignUp(bytes.size(), core::kArenaAlignment);
  }
  if (borrow) {
    net.owner_ = r.owner();
  } else {
    VIGIL_RETURN_IF_ERROR(net.storage_.Allocate(total));
  }
  size_t offset = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const auto& bytes = raw[i];
    const uint8_t* src = bytes.data();
    if (!borrow && !bytes.empty()) {
      std::memcpy(net.storage_.data() + offset, bytes.data(), bytes.size());
      src = net.storage_.data() + offset;
      offset += core::AlignUp(bytes.size(), core::kArenaAlignment);
    }
    net.packed_.push_back({types[i], {src, bytes.size()}});
  }
  return net;
}

Result<Graph> PackedNet::BuildGraph() const { return BuildGraph(layers_.size()); }

std::vector<int64_t> PackedNet::OutputShape(size_t layer_count) const {
  std::vector<int64_t> shape = input_shape_;
  for (size_t i = 0; i < layer_count && i < layers_.size(); ++i) {
    const train::LayerSpec& l = layers_[i];
    if (l.kind == train::LayerKind::kDense) {
      shape = {l.out};
    } else if (l.kind == train::LayerKind::kConv1D) {
      const int64_t span = l.dilation * (l.kernel - 1) + 1;
      shape = {(shape[0] + 2 * l.padding - span) / l.stride + 1, l.out};
    } else if (l.kind == train::LayerKind::kUpsample1D) {
      shape = {shape[0] * l.factor, shape[1]};
    }  // a transformer block keeps its input shape
  }
  return shape;
}

Result<std::vector<float>> PackedNet::RunLayers(size_t layer_count, const float* x, size_t rows) const {
  constexpr size_t kBatch = 64;
  const auto in_size = static_cast<size_t>(Product(input_shape_));
  const auto out_size = static_cast<size_t>(Product(OutputShape(layer_count)));
  VIGIL_ASSIGN_OR_RETURN(Graph g, BuildGraph(layer_count));
  VIGIL_RETURN_IF_ERROR(g.Plan(kBatch, {.external_inputs = true, .external_outputs = true}));
  std::vector<float> batch_in(kBatch * in_size, 0.0f), batch_out(kBatch * out_size);
  VIGIL_RETURN_IF_ERROR(g.BindInput(0, batch_in.data()));
  VIGIL_RETURN_IF_ERROR(g.BindOutput(0, batch_out.data()));
  std::vector<float> out;
  out.reserve(rows * out_size);
  for (size_t r = 0; r < rows; r += kBatch) {
    const size_t n = std::min(kBatch, rows - r);
    std::copy(x + r * in_size, x + (r + n) * in_size, batch_in.begin());
    g.Run();
    out.insert(out.end(), batch_out.begin(), batch_out.begin() + static_cast<std::ptrdiff_t>(n * out_size));
  }
  return out;
}

Result<Graph> PackedNet::BuildGraph(size_t layer_count) const {
  if (layer_count < 1 || layer_count > layers_.size()) {
    return Status::InvalidArgument("layer count " + std::to_string(layer_count) + " outside 1.." +
                                   std::to_string(layers_.size()));
  }
  GraphBuilder b;
  ValueId x = b.AddInput(input_shape_);
  std::vector<int64_t> shape = input_shape_;
  for (size_t i = 0; i < layer_count; ++i) {
    const train::LayerSpec& l = layers_[i];
    switch (l.kind) {
      case train::LayerKind::kDense:
        if (shape.size() != 1) x = b.AddReshape(x, {Product(shape)});
        x = b.AddDenseFromPacked(x, in_features_[i], l.out, packed_[i], l.activation);
        shape = {l.out};
        break;
      case train::LayerKind::kConv1D: {
        Conv1DParams p{.in_channels = shape[1], .out_channels = l.out, .kernel = l.kernel,
                       .stride = l.stride, .padding = l.padding, .dilation = l.dilation};
        x = b.AddConv1DFromPacked(x, p, packed_[i], l.activation);
        const int64_t span = l.dilation * (l.kernel - 1) + 1;
        shape = {(shape[0] + 2 * l.padding - span) / l.stride + 1, l.out};
        break;
      }
      case train::LayerKind::kUpsample1D:
        x = b.AddUpsample1D(x, l.factor);
        shape = {shape[0] * l.factor, shape[1]};
        break;
      case train::LayerKind::kTransformerBlock: {
        const auto* f = reinterpret_cast<const float*>(packed_[i].bytes.data());
        x = b.AddTransformerBlock(x, {shape[1], l.kernel, l.out, shape[0], 1e-5f},
                                  std::span<const float>(f, packed_[i].bytes.size() / sizeof(float)));
        break;
      }
    }
  }
  if (layer_count == layers_.size() && shape != input_shape_ && Product(shape) == Product(input_shape_)) {
    x = b.AddReshape(x, input_shape_);
  }
  b.MarkOutput(x);
  return std::move(b).Create();
}

size_t PackedNet::WeightBytes() const {
  size_t bytes = 0;
  for (const auto& p : packed_) bytes += p.bytes.size();
  return bytes;
}

std::string PackedNet::Summary() const {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < input_shape_.size(); ++i) os << (i ? "," : "") << input_shape_[i];
  os << "]";
  if (weight_type() != WeightType::kF32) os << " " << WeightTypeName(weight_type());
  for (size_t i = 0; i < layers_.size(); ++i) {
    // A layer stored differently from the net's headline type says so.
    const bool other = !packed_[i].bytes.empty() && packed_[i].type != weight_type();
    os << " " << LayerSummary(i, other ? WeightTypeName(packed_[i].type) : "");
  }
  return os.str();
}

std::string PackedNet::LayerSummary(size_t i, std::string_view note) const {
  const train::LayerSpec& l = layers_[i];
  std::ostringstream os;
  auto close = [&] {
    if (!note.empty()) os << ',' << note;
    os << ')';
  };
  switch (l.kind) {
    case train::LayerKind::kDense:
      os << "dense(" << l.out << "," << ActivationName(l.activation);
      close();
      break;
    case train::LayerKind::kConv1D:
      os << "conv1d(" << l.out << ",k" << l.kernel << ",s" << l.stride;
      if (l.dilation != 1) os << ",d" << l.dilation;
      os << "," << ActivationName(l.activation);
      close();
      break;
    case train::LayerKind::kUpsample1D:
      os << "up(" << l.factor << ")";
      break;
    case train::LayerKind::kTransformerBlock:
      os << "block(h" << l.kernel << ",mlp" << l.out;
      close();
      break;
  }
  return os.str();
}

}  // namespace vigil::nn
