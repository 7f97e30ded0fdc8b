// The weights file every peer runner of bench/mlperf_ae_peers_bench reads, so all runtimes
// compute the same network from the same numbers.
//
//   vigil::bench::PeerNet net{.sizes = {640, 128, 640}, .params = {...}};
//   std::string error;
//   if (!vigil::bench::WritePeerNet("/tmp/w.vpw", net, &error)) Fail(error);
//   vigil::bench::PeerNet back;
//   if (!vigil::bench::ReadPeerNet("/tmp/w.vpw", &back, &error)) Fail(error);
//
// The network is a chain of Dense layers with bias, ReLU after every layer except the last.
// File layout, all little-endian, sizes independent of the platform:
//   char[4]  magic "VPWT"
//   uint32   version (1)
//   uint32   number of widths L+1 (input width, then each layer's output width), 2..64
//   uint32   widths[L+1], each 1..65536
//   float32  for each layer l: W (widths[l+1] × widths[l], row-major: out × in), then bias
//            (widths[l+1])
// and nothing after. bench/peers/make_onnx.py reads the same layout. The file lives only for
// one bench run (written and read on the same machine), hence no checksum: a truncated or
// padded file is still rejected by its exact expected size.
//
// Header-only and free of vigil's library so the peer runners link nothing but their peer.
// Errors: false plus a message naming the file and the bad field. Thread-safe (no state).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace vigil::bench {

static_assert(std::endian::native == std::endian::little, "peer weights are little-endian");

struct PeerNet {
  std::vector<int64_t> sizes;  // input width, then each layer's output width
  std::vector<float> params;   // per layer: W (out × in, row-major) then bias

  int num_layers() const { return static_cast<int>(sizes.size()) - 1; }
  // Offset of layer l's W in params; its bias follows at WeightOffset(l) + out·in.
  size_t WeightOffset(int layer) const {
    size_t offset = 0;
    for (int l = 0; l < layer; ++l) offset += static_cast<size_t>(sizes[l + 1] * (sizes[l] + 1));
    return offset;
  }
  const float* weights(int layer) const { return params.data() + WeightOffset(layer); }
  const float* bias(int layer) const {
    return weights(layer) + static_cast<size_t>(sizes[layer + 1] * sizes[layer]);
  }
  size_t ExpectedParams() const { return WeightOffset(num_layers()); }
};

inline constexpr char kPeerNetMagic[4] = {'V', 'P', 'W', 'T'};
inline constexpr uint32_t kPeerNetVersion = 1;
inline constexpr uint32_t kPeerNetMaxWidths = 64;
inline constexpr uint32_t kPeerNetMaxWidth = 65536;

inline bool WritePeerNet(const std::string& path, const PeerNet& net, std::string* error) {
  if (net.sizes.size() < 2 || net.sizes.size() > kPeerNetMaxWidths ||
      net.params.size() != net.ExpectedParams()) {
    *error = path + ": refusing to write a net with " + std::to_string(net.sizes.size()) + " widths and " +
             std::to_string(net.params.size()) + " parameters";
    return false;
  }
  std::ofstream f(path, std::ios::binary);
  const uint32_t head[2] = {kPeerNetVersion, static_cast<uint32_t>(net.sizes.size())};
  f.write(kPeerNetMagic, 4);
  f.write(reinterpret_cast<const char*>(head), sizeof(head));
  for (int64_t s : net.sizes) {
    const uint32_t w = static_cast<uint32_t>(s);
    f.write(reinterpret_cast<const char*>(&w), sizeof(w));
  }
  f.write(reinterpret_cast<const char*>(net.params.data()),
          static_cast<std::streamsize>(net.params.size() * sizeof(float)));
  if (!f.good()) {
    *error = path + ": write failed";
    return false;
  }
  return true;
}

inline bool ReadPeerNet(const std::string& path, PeerNet* net, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = path + ": cannot open";
    return false;
  }
  char magic[4] = {};
  uint32_t head[2] = {};
  f.read(magic, 4);
  f.read(reinterpret_cast<char*>(head), sizeof(head));
  if (!f || std::memcmp(magic, kPeerNetMagic, 4) != 0) {
    *error = path + ": not a peer weights file (magic is not VPWT)";
    return false;
  }
  if (head[0] != kPeerNetVersion) {
    *error = path + ": version " + std::to_string(head[0]) + ", expected " + std::to_string(kPeerNetVersion);
    return false;
  }
  if (head[1] < 2 || head[1] > kPeerNetMaxWidths) {
    *error =
        path + ": " + std::to_string(head[1]) + " widths, expected 2.." + std::to_string(kPeerNetMaxWidths);
    return false;
  }
  net->sizes.assign(head[1], 0);
  for (uint32_t i = 0; i < head[1]; ++i) {
    uint32_t w = 0;
    f.read(reinterpret_cast<char*>(&w), sizeof(w));
    if (!f || w < 1 || w > kPeerNetMaxWidth) {
      *error = path + ": width " + std::to_string(i) + " is " + std::to_string(w) + ", expected 1.." +
               std::to_string(kPeerNetMaxWidth);
      return false;
    }
    net->sizes[i] = w;
  }
  net->params.assign(net->ExpectedParams(), 0.0f);
  f.read(reinterpret_cast<char*>(net->params.data()),
         static_cast<std::streamsize>(net->params.size() * sizeof(float)));
  const bool short_read = !f;
  f.peek();
  if (short_read || !f.eof()) {
    *error = path + ": size does not match its widths (" + std::to_string(net->params.size()) +
             " floats expected)";
    return false;
  }
  return true;
}

}  // namespace vigil::bench
