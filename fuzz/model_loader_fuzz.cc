// libFuzzer target: model files from hostile bytes must load or fail cleanly, never crash.
//
// Most random inputs would stop at the checksum, so the first byte chooses the mode:
// even → the input is a whole file; odd → the rest is a payload, wrapped in a valid header
// (magic, version, size, CRC) so the fuzzer reaches the component parsers.
#include <cstddef>
#include <cstdint>
#include <span>

#include "model/model_file.h"
#include "vigil/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::span<const uint8_t> rest(data + 1, size - 1);
  std::vector<uint8_t> bytes;
  if (data[0] % 2 == 0) {
    bytes.assign(rest.begin(), rest.end());
  } else {
    bytes = vigil::model::WrapPayload(rest, vigil::kModelFormatVersion, 0);
  }
  auto model = vigil::Model::Deserialize(bytes, "fuzz.vgm");
  if (model.ok()) {
    // A model that loads must also score without faults.
    vigil::StreamScorer scorer(*model);
    std::vector<float> frame(model->schema().size(), 1.0f);
    for (int i = 0; i < 3; ++i) scorer.Step(vigil::FrameView{static_cast<double>(i), frame});
  }
  return 0;
}
