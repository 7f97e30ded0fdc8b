#include "export/onnx_export.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/autoencoder_detector.h"
#include "kernels/dense.h"
#include "kernels/dense_layout.h"
#include "kernels/half.h"
#include "nn/packed_net.h"
#include "nn/train/transformer_block.h"
#include "vigil/threshold.h"

namespace vigil::exporter {
namespace {

constexpr int64_t kOpset = 13;

// The weights and bias of a layer packed as FP16 (kernels/dense_layout.h: panels of kDensePanel
// outputs, binary16 weights, float32 bias after the panels).
void UnpackF16(const uint8_t* packed, int64_t in, int64_t out, float* w, float* bias) {
  const size_t panel = kernels::kDensePanel;
  const auto* h = reinterpret_cast<const uint16_t*>(packed);
  for (int64_t o = 0; o < out; ++o) {
    const size_t p = static_cast<size_t>(o) / panel, lane = static_cast<size_t>(o) % panel;
    for (int64_t i = 0; i < in; ++i) {
      w[o * in + i] = kernels::F16ToF32(h[p * static_cast<size_t>(in) * panel + static_cast<size_t>(i) * panel + lane]);
    }
  }
  const auto* b = reinterpret_cast<const float*>(
      packed + kernels::DenseF16BiasOffset(static_cast<size_t>(in), static_cast<size_t>(out)));
  std::copy(b, b + out, bias);
}

// Builds the graph node by node, naming values v0, v1, ...
class GraphWriter {
 public:
  explicit GraphWriter(onnx::GraphProto* g) : g_(g) {}

  std::string Fresh() { return "v" + std::to_string(next_++); }

  std::string Initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
    onnx::TensorProto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
    return name;
  }
  // A FLOAT16 tensor of values already representable in binary16 (raw little-endian bits).
  std::string HalfInitializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
    onnx::TensorProto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT16);
    for (int64_t d : dims) t->add_dims(d);
    std::string raw(values.size() * 2, '\0');
    for (size_t i = 0; i < values.size(); ++i) {
      const uint16_t h = kernels::F32ToF16(values[i]);
      raw[2 * i] = static_cast<char>(h & 0xff);
      raw[2 * i + 1] = static_cast<char>(h >> 8);
    }
    t->set_raw_data(raw);
    return name;
  }
  std::string Ints(const std::string& name, const std::vector<int64_t>& values) {
    onnx::TensorProto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return name;
  }

  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(g_->node_size()));
    for (const std::string& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }
  std::string Op(const std::string& op, const std::vector<std::string>& inputs) {
    const std::string out = Fresh();
    Node(op, inputs, out);
    return out;
  }

  static void Attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void Attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void Attr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }

  // Input or output value info: float, [N, dims...] with a symbolic batch.
  static void Declare(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
    v->set_name(name);
    onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_param("N");
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }

 private:
  onnx::GraphProto* g_;
  int next_ = 0;
};

void Metadata(onnx::ModelProto* m, const std::string& key, const std::string& value) {
  onnx::StringStringEntryProto* e = m->add_metadata_props();
  e->set_key(key);
  e->set_value(value);
}

// x [N, L, D] → layer norm over D with γ, β (opset 13 has no LayerNormalization: composed).
std::string LayerNorm(GraphWriter& w, onnx::GraphProto* g, const std::string& x, const std::string& p, int64_t d,
                      const float* gamma, const float* beta, float eps) {
  const auto mean = [&](const std::string& v) {
    onnx::NodeProto* n = w.Node("ReduceMean", {v}, w.Fresh());
    GraphWriter::Attr(n, "axes", std::vector<int64_t>{-1});
    return n->output(0);
  };
  (void)g;
  const std::string centered = w.Op("Sub", {x, mean(x)});
  const std::string var = mean(w.Op("Mul", {centered, centered}));
  const std::string sd = w.Op("Sqrt", {w.Op("Add", {var, w.Initializer(p + "_eps", {}, {eps})})});
  const std::string normed = w.Op("Div", {centered, sd});
  return w.Op("Add", {w.Op("Mul", {normed, w.Initializer(p + "_gamma", {d}, std::vector<float>(gamma, gamma + d))}),
                      w.Initializer(p + "_beta", {d}, std::vector<float>(beta, beta + d))});
}

// x [N, L, in] · Wᵀ + b for W out × in (row-major).
std::string Linear(GraphWriter& w, const std::string& x, const std::string& p, const float* wts, const float* b,
                   int64_t in, int64_t out) {
  std::vector<float> wt(static_cast<size_t>(in * out));
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t i = 0; i < in; ++i) wt[static_cast<size_t>(i * out + o)] = wts[o * in + i];
  }
  return w.Op("Add", {w.Op("MatMul", {x, w.Initializer(p + "_Wt", {in, out}, wt)}),
                      w.Initializer(p + "_b", {out}, std::vector<float>(b, b + out))});
}

// The pre-norm encoder block (nn/train/transformer_block.h) on x [N, L, D].
std::string TransformerBlock(GraphWriter& w, onnx::GraphProto* g, const std::string& x, const std::string& p,
                             const nn::train::BlockSpec& s, int64_t length, const float* f) {
  const nn::train::BlockLayout l(s);
  const int64_t d = s.dim, h = s.heads, hd = s.dim / s.heads;
  const std::string h1 = LayerNorm(w, g, x, p + "_ln1", d, f + l.ln1_g, f + l.ln1_b, s.ln_eps);
  const auto heads = [&](const std::string& v, const std::vector<int64_t>& perm) {  // [N,L,D] → per head
    const std::string r = w.Op("Reshape", {v, w.Ints(p + "_heads_" + std::to_string(g->node_size()), {-1, length, h, hd})});
    const std::string t = w.Op("Transpose", {r});
    GraphWriter::Attr(g->mutable_node(g->node_size() - 1), "perm", perm);
    return t;
  };
  const std::string q = heads(Linear(w, h1, p + "_q", f + l.wq, f + l.bq, d, d), {0, 2, 1, 3});  // [N,H,L,hd]
  const std::string k = heads(Linear(w, h1, p + "_k", f + l.wk, f + l.bk, d, d), {0, 2, 3, 1});  // [N,H,hd,L]
  const std::string v = heads(Linear(w, h1, p + "_v", f + l.wv, f + l.bv, d, d), {0, 2, 1, 3});  // [N,H,L,hd]
  const std::string scores =
      w.Op("Mul", {w.Op("MatMul", {q, k}), w.Initializer(p + "_scale", {}, {1.0f / std::sqrt(static_cast<float>(hd))})});
  onnx::NodeProto* sm = w.Node("Softmax", {scores}, w.Fresh());
  GraphWriter::Attr(sm, "axis", int64_t{-1});
  const std::string o = w.Op("Transpose", {w.Op("MatMul", {sm->output(0), v})});  // [N,L,H,hd]
  GraphWriter::Attr(g->mutable_node(g->node_size() - 1), "perm", std::vector<int64_t>{0, 2, 1, 3});
  const std::string merged = w.Op("Reshape", {o, w.Ints(p + "_merge", {-1, length, d})});
  const std::string x1 = w.Op("Add", {x, Linear(w, merged, p + "_o", f + l.wo, f + l.bo, d, d)});
  const std::string h2 = LayerNorm(w, g, x1, p + "_ln2", d, f + l.ln2_g, f + l.ln2_b, s.ln_eps);
  const std::string u = w.Op("Relu", {Linear(w, h2, p + "_mlp1", f + l.w1, f + l.b1, d, s.hidden)});
  return w.Op("Add", {x1, Linear(w, u, p + "_mlp2", f + l.w2, f + l.b2, s.hidden, d)});
}

}  // namespace

Result<std::string> ExportOnnx(const Model& model) {
  const Detector& det = model.detector();
  const nn::PackedNet* net = detect::AutoencoderNetwork(det);
  detect::AutoencoderScaling scaling;
  if (net == nullptr || !detect::GetAutoencoderScaling(det, &scaling)) {
    return Status::InvalidArgument("ONNX export covers the neural detectors (ae, conv-ae, tf-ae); '" +
                                   std::string(det.name()) + "' has no network");
  }
  const auto& layers = net->layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (net->layer_weight_type(i) == nn::WeightType::kInt8) {
      return Status::InvalidArgument(std::string("layer ") + std::to_string(i) +
                                     " holds int8 weights: INT8 (QDQ) export is not implemented yet; export the FP32 "
                                     "or FP16 model");
    }
  }
  const int64_t frames = static_cast<int64_t>(scaling.frames), channels = static_cast<int64_t>(scaling.channels);
  const int64_t features = frames * channels;

  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("vigil");
  m.set_model_version(1);
  onnx::OperatorSetIdProto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name(std::string("vigil_") + std::string(det.name()));
  GraphWriter w(g);
  GraphWriter::Declare(g->add_input(), "input", {features});

  // Standardization, per channel repeated over the frames of a row.
  std::vector<float> mean(static_cast<size_t>(features)), inv(static_cast<size_t>(features));
  for (int64_t i = 0; i < features; ++i) {
    mean[static_cast<size_t>(i)] = scaling.mean[static_cast<size_t>(i % channels)];
    inv[static_cast<size_t>(i)] = scaling.inv_scale[static_cast<size_t>(i % channels)];
  }
  const std::string z = w.Op("Mul", {w.Op("Sub", {"input", w.Initializer("mean", {features}, mean)}),
                                     w.Initializer("inv_scale", {features}, inv)});

  // The network. Flat [N, features] for Dense; [N, channels, length] for Conv / Resize.
  std::string v = z;
  std::vector<int64_t> shape = net->input_shape();
  bool channels_first = false;  // v is [N, C, L] (else the sample shape, row-major)
  for (size_t i = 0; i < layers.size(); ++i) {
    const nn::train::LayerSpec& l = layers[i];
    const std::vector<int64_t> out_shape = net->OutputShape(i + 1);
    const int64_t in = l.kind == nn::train::LayerKind::kConv1D ? l.kernel * shape[1]
                                                                : (shape.size() == 1 ? shape[0] : shape[0] * shape[1]);
    if (l.kind == nn::train::LayerKind::kTransformerBlock) {
      if (channels_first) {  // the block works on [N, L, D]
        v = w.Op("Transpose", {v});
        GraphWriter::Attr(g->mutable_node(g->node_size() - 1), "perm", std::vector<int64_t>{0, 2, 1});
        channels_first = false;
      } else {
        v = w.Op("Reshape", {v, w.Ints("layer" + std::to_string(i) + "_lc", {-1, shape[0], shape[1]})});
      }
      const nn::train::BlockSpec bs = nn::train::BlockSpecOf(l, shape);
      v = TransformerBlock(w, g, v, "layer" + std::to_string(i), bs, shape[0],
                           reinterpret_cast<const float*>(net->layer_packed(i).bytes.data()));
      shape = out_shape;
      continue;
    }
    std::vector<float> wts, bias;
    const bool half = net->layer_weight_type(i) == nn::WeightType::kF16;
    if (l.kind != nn::train::LayerKind::kUpsample1D) {
      wts.resize(static_cast<size_t>(in * l.out));
      bias.resize(static_cast<size_t>(l.out));
      if (half) {
        UnpackF16(net->layer_packed(i).bytes.data(), in, l.out, wts.data(), bias.data());
      } else {
        kernels::UnpackDense(reinterpret_cast<const float*>(net->layer_packed(i).bytes.data()), static_cast<size_t>(in),
                             static_cast<size_t>(l.out), wts.data(), bias.data());
      }
    }
    // FP16 weights stay FP16 in the file, widened by a Cast as vigil widens them at load.
    const auto weights = [&](const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
      if (!half) return w.Initializer(name, dims, v);
      onnx::NodeProto* cast = w.Node("Cast", {w.HalfInitializer(name, dims, v)}, w.Fresh());
      GraphWriter::Attr(cast, "to", static_cast<int64_t>(onnx::TensorProto::FLOAT));
      return cast->output(0);
    };
    const std::string p = "layer" + std::to_string(i);
    if (l.kind == nn::train::LayerKind::kDense) {
      if (channels_first) {  // back to [N, L, C] order, then flat
        v = w.Op("Transpose", {v});
        GraphWriter::Attr(g->mutable_node(g->node_size() - 1), "perm", std::vector<int64_t>{0, 2, 1});
        channels_first = false;
      }
      v = w.Op("Reshape", {v, w.Ints(p + "_flat", {-1, in})});
      const std::string wname = weights(p + "_W", {l.out, in}, wts);
      onnx::NodeProto* gemm = w.Node("Gemm", {v, wname, w.Initializer(p + "_b", {l.out}, bias)}, w.Fresh());
      GraphWriter::Attr(gemm, "transB", int64_t{1});
      v = gemm->output(0);
    } else {
      if (!channels_first) {  // [N, L, C] → [N, C, L]
        v = w.Op("Reshape", {v, w.Ints(p + "_lc", {-1, shape[0], shape[1]})});
        v = w.Op("Transpose", {v});
        GraphWriter::Attr(g->mutable_node(g->node_size() - 1), "perm", std::vector<int64_t>{0, 2, 1});
        channels_first = true;
      }
      if (l.kind == nn::train::LayerKind::kConv1D) {
        // vigil: [out, kernel, in_channels]; ONNX Conv: [out, in_channels, kernel].
        std::vector<float> conv(wts.size());
        const int64_t cin = shape[1];
        for (int64_t o = 0; o < l.out; ++o) {
          for (int64_t k = 0; k < l.kernel; ++k) {
            for (int64_t c = 0; c < cin; ++c) {
              conv[static_cast<size_t>((o * cin + c) * l.kernel + k)] = wts[static_cast<size_t>((o * l.kernel + k) * cin + c)];
            }
          }
        }
        const std::string wname = weights(p + "_W", {l.out, cin, l.kernel}, conv);
        onnx::NodeProto* n = w.Node("Conv", {v, wname, w.Initializer(p + "_b", {l.out}, bias)}, w.Fresh());
        GraphWriter::Attr(n, "kernel_shape", std::vector<int64_t>{l.kernel});
        GraphWriter::Attr(n, "strides", std::vector<int64_t>{l.stride});
        GraphWriter::Attr(n, "pads", std::vector<int64_t>{l.padding, l.padding});
        GraphWriter::Attr(n, "dilations", std::vector<int64_t>{l.dilation});
        v = n->output(0);
      } else {
        onnx::NodeProto* n = w.Node("Resize", {v, "", w.Initializer(p + "_scales", {3}, {1.0f, 1.0f, static_cast<float>(l.factor)})},
                                    w.Fresh());
        GraphWriter::Attr(n, "mode", std::string("nearest"));
        GraphWriter::Attr(n, "nearest_mode", std::string("floor"));
        GraphWriter::Attr(n, "coordinate_transformation_mode", std::string("asymmetric"));
        v = n->output(0);
      }
    }
    switch (l.activation) {
      case kernels::Activation::kNone: break;
      case kernels::Activation::kRelu: v = w.Op("Relu", {v}); break;
      case kernels::Activation::kTanh: v = w.Op("Tanh", {v}); break;
      case kernels::Activation::kSigmoid: v = w.Op("Sigmoid", {v}); break;
      case kernels::Activation::kLeakyRelu: {
        onnx::NodeProto* n = w.Node("LeakyRelu", {v}, w.Fresh());
        onnx::AttributeProto* a = n->add_attribute();
        a->set_name("alpha");
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(0.01f);
        v = n->output(0);
        break;
      }
      default:
        return Status::InvalidArgument("layer " + std::to_string(i) + ": activation " +
                                       std::to_string(static_cast<uint32_t>(l.activation)) + " has no ONNX export yet");
    }
    shape = out_shape;
  }
  if (channels_first) {
    v = w.Op("Transpose", {v});
    GraphWriter::Attr(g->mutable_node(g->node_size() - 1), "perm", std::vector<int64_t>{0, 2, 1});
  }
  const std::string reconstruction = w.Op("Reshape", {v, w.Ints("flat", {-1, features})});

  // Squared error, per channel over the frames, and overall.
  const std::string d = w.Op("Sub", {z, reconstruction});
  const std::string sq = w.Op("Mul", {d, d});
  const std::string per_frame = w.Op("Reshape", {sq, w.Ints("frames_channels", {-1, frames, channels})});
  onnx::NodeProto* ce = w.Node("ReduceMean", {per_frame}, "channel_error");
  GraphWriter::Attr(ce, "axes", std::vector<int64_t>{1});
  GraphWriter::Attr(ce, "keepdims", int64_t{0});
  onnx::NodeProto* score = w.Node("ReduceMean", {sq}, "score");
  GraphWriter::Attr(score, "axes", std::vector<int64_t>{1});
  GraphWriter::Attr(score, "keepdims", int64_t{0});
  GraphWriter::Declare(g->add_output(), "score", {});
  GraphWriter::Declare(g->add_output(), "channel_error", {channels});

  Metadata(&m, "vigil.detector", std::string(det.name()));
  std::string names;
  for (const std::string& n : model.schema().names()) names += (names.empty() ? "" : ",") + n;
  Metadata(&m, "vigil.channels", names);
  Metadata(&m, "vigil.frames", std::to_string(frames));
  Metadata(&m, "vigil.threshold", std::to_string(model.threshold().value()));
  Metadata(&m, "vigil.features", "detector input rows: frames x channels, frame-major (vigil's window features)");
  std::string bytes;
  if (!m.SerializeToString(&bytes)) return Status::IOError("ONNX: could not serialize the model");
  return bytes;
}

}  // namespace vigil::exporter
