// A trained sequential network (Dense / Conv1D / Upsample1D layers) with its weights in the
// runtime's packed layout, ready to build inference graphs from — owning the weights, or
// borrowing them where they lie in a memory-mapped model file.
//
//   VIGIL_ASSIGN_OR_RETURN(nn::PackedNet net, nn::PackedNet::FromParams(trained.params));
//   net.Save(writer);                                     // weights 64-byte aligned in the file
//   VIGIL_ASSIGN_OR_RETURN(nn::PackedNet again, nn::PackedNet::Load(reader));   // no copy when
//                                                         // the reader has an owner (mmap)
//   VIGIL_ASSIGN_OR_RETURN(nn::Graph g, again.BuildGraph());   // input → reconstruction
//   VIGIL_ASSIGN_OR_RETURN(nn::PackedNet half, net.ConvertWeights(nn::WeightType::kF16));
//
// Serialized form (inside a detector payload), little-endian:
//   u32 version (2), u32 input rank, i64 input dims[rank], u32 layer count, then per layer
//   u32 kind (train::LayerKind), i64 out, kernel, stride, padding, dilation, factor,
//   u32 activation, u32 weight type (nn::WeightType), u64 packed byte count, zero padding to a
//   64-byte file offset, the packed bytes (packed_weights.h layouts; a Conv1D is packed as a
//   Dense of kernel·in_channels inputs). Upsample1D layers carry no bytes (count 0, no padding).
//   A TransformerBlock layer (kind 3) stores its flat FP32 parameters in BlockLayout order
//   (nn/train/transformer_block.h), type f32 only; its graph op packs a copy at build time.
//   Version 1 (still read) had no weight type and counted floats: all layers FP32.
//
// Thread-safety: immutable after creation; BuildGraph may be called from several threads.
// Borrowed weights stay valid because the net holds the reader's owner.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/byte_io.h"
#include "nn/graph.h"
#include "nn/ops/packed_weights.h"
#include "nn/train/net.h"
#include "vigil/status.h"

namespace vigil::nn {

class PackedNet {
 public:
  PackedNet() = default;
  PackedNet(PackedNet&&) = default;
  PackedNet& operator=(PackedNet&&) = default;

  // Packs trained weights (a copy). InvalidArgument from train::ValidateNetParams.
  static Result<PackedNet> FromParams(const train::NetParams& params);
  void Save(core::ByteWriter& w) const;
  // Corruption naming the field and offset for anything malformed: unknown kinds, shapes that
  // do not chain, float counts that disagree with the shapes.
  static Result<PackedNet> Load(core::ByteReader& r);

  // A graph with one input (the sample shape) and one output (the network's output).
  Result<Graph> BuildGraph() const;
  // The first `layer_count` (1 .. layers().size()) layers only: their output as it is, without
  // the final reshape to the input shape. InvalidArgument for a count out of range.
  Result<Graph> BuildGraph(size_t layer_count) const;
  // Output sample shape of the first `layer_count` layers.
  std::vector<int64_t> OutputShape(size_t layer_count) const;
  // The outputs of the first `layer_count` layers for `rows` samples of x (rows × input size),
  // rows × OutputShape(layer_count) values, computed 64 rows at a time on a graph of its own
  // (for calibration and error measurement, not for scoring). Errors from BuildGraph / Plan.
  Result<std::vector<float>> RunLayers(size_t layer_count, const float* x, size_t rows) const;

  // A copy with every weighted layer stored as `type` (owning its weights). From FP32: FP16
  // rounds each weight to the nearest binary16 (clamped to ±65504); INT8 quantizes per output
  // channel for inputs quantized with input_params[layer] (one entry per layer, entries of
  // weightless layers ignored; see int8_calibration.h) — a layer INT8 cannot run exactly (an
  // activation other than none/relu) stays FP32. Converting to the type the net already has is
  // a plain copy; InvalidArgument for any other conversion (e.g. FP16 → FP32, which would only
  // pretend to restore precision) or missing input_params for INT8.
  Result<PackedNet> ConvertWeights(WeightType type, std::span<const kernels::QuantParams> input_params = {}) const;
  // The same with a type per layer (types.size() == layers().size(); a weightless layer's entry
  // is ignored): mixed precision, as a route chooses it (nn/layer_route.h). input_params are
  // needed when any entry is INT8. InvalidArgument for a count mismatch or what ConvertWeights
  // refuses.
  Result<PackedNet> ConvertLayers(std::span<const WeightType> types,
                                  std::span<const kernels::QuantParams> input_params = {}) const;
  // The lowest precision any weighted layer is stored in (FP32 for a net without any).
  WeightType weight_type() const;
  // Per layer (weightless layers: FP32).
  WeightType layer_weight_type(size_t layer) const { return packed_[layer].type; }
  // A layer's stored weights (packed_weights.h layouts; empty for Upsample1D).
  const PackedWeights& layer_packed(size_t layer) const { return packed_[layer]; }

  const std::vector<int64_t>& input_shape() const { return input_shape_; }
  const std::vector<train::LayerSpec>& layers() const { return layers_; }
  // Packed weight and bias bytes over all layers.
  size_t WeightBytes() const;
  // True when the weights are read in place from a mapped file (no copy was made at load).
  bool borrowed() const { return owner_ != nullptr; }
  // "[64,8] conv1d(32,k7,s2,relu) conv1d(16,k7,s2,relu) up(2) ..." — one line.
  std::string Summary() const;
  // One layer of it: "conv1d(32,k7,s2,relu)"; `note` (e.g. a weight type) goes before the ')'.
  std::string LayerSummary(size_t layer, std::string_view note = {}) const;

 private:
  std::vector<int64_t> input_shape_;
  std::vector<train::LayerSpec> layers_;
  std::vector<int64_t> in_features_;           // per layer: Dense inputs or kernel·in_channels
  std::vector<PackedWeights> packed_;          // per layer; empty bytes for Upsample1D
  core::Arena storage_;                         // owned packed weights (when not borrowed)
  std::shared_ptr<const void> owner_;           // keeps borrowed weights alive
};

}  // namespace vigil::nn
