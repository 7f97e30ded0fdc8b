// StreamScorer::SaveState / LoadState: the checkpoint of one stream (format in vigil/model.h).
//
// Loading parses everything into a fresh State first and moves it into the scorer only when
// every check passed, so a failed LoadState changes nothing. Each block carries its size, so
// a component that reads more or less than its own bytes is caught at its block rather than
// misreading the next one.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_io.h"
#include "core/crc32.h"
#include "detect/window_features.h"
#include "model/stream_scorer_state.h"

namespace vigil {
namespace {

constexpr char kStateMagic[8] = {'V', 'I', 'G', 'I', 'L', 'S', 'S', 'T'};
constexpr size_t kStateHeaderSize = 24;
constexpr char kSource[] = "stream state";


std::string Hex32(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// What ties a state to the model it was saved with. The layout fields name what differs in
// the error message; the CRC catches a model of the same layout fitted again.
struct Fingerprint {
  std::vector<std::string> channels;
  uint32_t window = 0;
  uint32_t window_stats = 0;
  float input_smoothing = 0;
  uint64_t feature_dim = 0;
  uint32_t smooth = 0;
  uint32_t min_run = 0;
  std::string detector;
  uint64_t detector_dim = 0;
  uint32_t threshold_kind = 0;
  uint32_t model_crc = 0;
};

// `model_crc` caches the model's checksum across calls.
Fingerprint FingerprintOf(const Model& m, size_t feature_dim, std::optional<uint32_t>& model_crc) {
  if (!model_crc) model_crc = core::Crc32(m.Serialize());
  Fingerprint f;
  f.channels = m.schema().names();
  f.window = m.window();
  f.window_stats = m.window_stats();
  f.input_smoothing = m.input_smoothing();
  f.feature_dim = feature_dim;
  f.smooth = m.smooth();
  f.min_run = m.min_run();
  f.detector = std::string(m.detector().name());
  f.detector_dim = m.detector().dim();
  f.threshold_kind = static_cast<uint32_t>(m.threshold().kind());
  f.model_crc = *model_crc;
  return f;
}

void WriteFingerprint(core::ByteWriter& w, const Fingerprint& f) {
  w.U32(static_cast<uint32_t>(f.channels.size()));
  for (const auto& name : f.channels) w.Str(name);
  w.U32(f.window);
  w.U32(f.window_stats);
  w.F32(f.input_smoothing);
  w.U64(f.feature_dim);
  w.U32(f.smooth);
  w.U32(f.min_run);
  w.Str(f.detector);
  w.U64(f.detector_dim);
  w.U32(f.threshold_kind);
  w.U32(f.model_crc);
}

Status ReadFingerprint(core::ByteReader& r, Fingerprint* f) {
  uint32_t channels = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("model.channels", &channels));
  // Each name takes at least its 4-byte length, so a damaged count cannot make this loop
  // run past the bytes there are.
  for (uint32_t c = 0; c < channels; ++c) {
    std::string name;
    VIGIL_RETURN_IF_ERROR(r.Str("model.channel_name", &name));
    f->channels.push_back(std::move(name));
  }
  VIGIL_RETURN_IF_ERROR(r.U32("model.window", &f->window));
  VIGIL_RETURN_IF_ERROR(r.U32("model.window_stats", &f->window_stats));
  VIGIL_RETURN_IF_ERROR(r.F32("model.input_smoothing", &f->input_smoothing));
  VIGIL_RETURN_IF_ERROR(r.U64("model.feature_dim", &f->feature_dim));
  VIGIL_RETURN_IF_ERROR(r.U32("model.smooth", &f->smooth));
  VIGIL_RETURN_IF_ERROR(r.U32("model.min_run", &f->min_run));
  VIGIL_RETURN_IF_ERROR(r.Str("model.detector", &f->detector, 64));
  VIGIL_RETURN_IF_ERROR(r.U64("model.detector_dim", &f->detector_dim));
  VIGIL_RETURN_IF_ERROR(r.U32("model.threshold_kind", &f->threshold_kind));
  VIGIL_RETURN_IF_ERROR(r.U32("model.crc32", &f->model_crc));
  return Status::OK();
}

// Shortest text that reads back as the same float (0.3f prints as 0.3).
std::string FloatText(float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

std::string FeaturesText(const Fingerprint& f) {
  return "window " + std::to_string(f.window) + " (" + detect::FeatureStatsName(f.window_stats) +
         "), input smoothing " + FloatText(f.input_smoothing) + ", " + std::to_string(f.feature_dim) +
         " features";
}

// InvalidArgument naming the first difference between the saved model and this one.
Status CompareFingerprints(const Fingerprint& saved, const Fingerprint& mine) {
  auto differ = [](std::string_view what, const std::string& a, const std::string& b) {
    return Status::InvalidArgument("stream state was saved by a scorer of a different model: " +
                                   std::string(what) + " " + a + " in the state, " + b + " in this model");
  };
  if (saved.channels != mine.channels) {
    return differ("channels", JoinNames(saved.channels), JoinNames(mine.channels));
  }
  if (saved.window != mine.window || saved.window_stats != mine.window_stats ||
      saved.input_smoothing != mine.input_smoothing || saved.feature_dim != mine.feature_dim) {
    return differ("window features", FeaturesText(saved), FeaturesText(mine));
  }
  if (saved.detector != mine.detector || saved.detector_dim != mine.detector_dim) {
    return differ("detector", "'" + saved.detector + "' on " + std::to_string(saved.detector_dim) + " inputs",
                  "'" + mine.detector + "' on " + std::to_string(mine.detector_dim) + " inputs");
  }
  if (saved.threshold_kind != mine.threshold_kind) {
    return differ("threshold",
                  std::string(ThresholdKindName(static_cast<ThresholdKind>(saved.threshold_kind))),
                  std::string(ThresholdKindName(static_cast<ThresholdKind>(mine.threshold_kind))));
  }
  if (saved.smooth != mine.smooth || saved.min_run != mine.min_run) {
    auto policy = [](const Fingerprint& f) {
      return "smooth " + std::to_string(f.smooth) + ", min_run " + std::to_string(f.min_run);
    };
    return differ("alarm policy", policy(saved), policy(mine));
  }
  if (saved.model_crc != mine.model_crc) {
    return differ("model CRC-32 (same layout, other parameters: fitted again or changed)",
                  Hex32(saved.model_crc), Hex32(mine.model_crc));
  }
  return Status::OK();
}

template <typename Fill>
void WriteBlock(core::ByteWriter& w, Fill&& fill) {
  core::ByteWriter block;
  fill(block);
  w.U64(block.size());
  w.Raw(block.bytes().data(), block.size());
}

// The bytes of the next block and their offset in the state.
struct Block {
  std::span<const uint8_t> bytes;
  uint64_t offset = 0;
};

Status NextBlock(core::ByteReader& r, std::string_view field, Block* out) {
  uint64_t size = 0;
  VIGIL_RETURN_IF_ERROR(r.U64(field, &size));
  if (size > r.remaining()) {
    return r.Error(field,
                   "block of " + std::to_string(size) + " bytes, " + std::to_string(r.remaining()) + " left");
  }
  out->offset = r.base_offset() + r.offset();
  return r.View(field, static_cast<size_t>(size), &out->bytes);
}

// Runs `load` on a reader over the block's bytes; the component must use all of them.
template <typename Load>
Status LoadBlock(core::ByteReader& r, std::string_view field, Load&& load) {
  Block block;
  VIGIL_RETURN_IF_ERROR(NextBlock(r, field, &block));
  core::ByteReader in(block.bytes, kSource, block.offset);
  VIGIL_RETURN_IF_ERROR(load(in));
  if (in.remaining() != 0) {
    in.BeginField();
    return in.Error(field, std::to_string(in.remaining()) + " unread bytes at the end of the block");
  }
  return Status::OK();
}

void SaveScorerBlock(bool fixed, double fixed_value, const ScoredFrame& out, core::ByteWriter& w) {
  w.U8(fixed ? 1 : 0);
  w.F64(fixed_value);
  w.F64(out.timestamp);
  w.F64(out.score);
  w.F64(out.threshold);
  w.U8(out.above ? 1 : 0);
  w.U8(out.alarm ? 1 : 0);
  w.F32Array(out.contributions);
}

Status ReadBool(core::ByteReader& r, std::string_view field, bool* out) {
  uint8_t v = 0;
  VIGIL_RETURN_IF_ERROR(r.U8(field, &v));
  if (v > 1) return r.Error(field, "expected 0 or 1, got " + std::to_string(v));
  *out = v == 1;
  return Status::OK();
}

// `out->contributions` must already have one element per channel.
Status LoadScorerBlock(core::ByteReader& r, bool* fixed, double* fixed_value, ScoredFrame* out) {
  VIGIL_RETURN_IF_ERROR(ReadBool(r, "scorer.fixed", fixed));
  VIGIL_RETURN_IF_ERROR(r.F64("scorer.fixed_value", fixed_value));
  VIGIL_RETURN_IF_ERROR(r.F64("last.timestamp", &out->timestamp));
  VIGIL_RETURN_IF_ERROR(r.F64("last.score", &out->score));
  VIGIL_RETURN_IF_ERROR(r.F64("last.threshold", &out->threshold));
  VIGIL_RETURN_IF_ERROR(ReadBool(r, "last.above", &out->above));
  VIGIL_RETURN_IF_ERROR(ReadBool(r, "last.alarm", &out->alarm));
  const size_t channels = out->contributions.size();
  std::vector<float> contributions;
  VIGIL_RETURN_IF_ERROR(r.F32Array("last.contributions", &contributions, channels));
  if (contributions.size() != channels) {
    return r.Error("last.contributions", std::to_string(contributions.size()) + " values for " +
                                             std::to_string(channels) + " channels");
  }
  std::copy(contributions.begin(), contributions.end(), out->contributions.begin());
  return Status::OK();
}

// Checks the header and checksum; returns the payload.
Result<std::span<const uint8_t>> Unwrap(std::span<const uint8_t> bytes) {
  const std::string source = kSource;
  if (bytes.empty()) return Status::Corruption(source + ": offset 0: empty (no stream state)");
  if (std::memcmp(bytes.data(), kStateMagic, std::min(bytes.size(), sizeof kStateMagic)) != 0) {
    return Status::Corruption(source +
                              ": offset 0: not a vigil stream state (bad magic; expected \"VIGILSST\")");
  }
  if (bytes.size() < kStateHeaderSize) {
    return Status::Corruption(source + ": offset " + std::to_string(bytes.size()) + ": truncated header (" +
                              std::to_string(bytes.size()) + " of " + std::to_string(kStateHeaderSize) +
                              " bytes)");
  }
  core::ByteReader r(bytes, source);
  uint32_t version = 0, crc = 0;
  uint64_t payload_size = 0;
  VIGIL_RETURN_IF_ERROR(r.Skip("magic", sizeof kStateMagic));
  VIGIL_RETURN_IF_ERROR(r.U32("format_version", &version));
  if (version != kStreamStateFormatVersion) {
    return r.Error("format_version", "unsupported stream state version " + std::to_string(version) +
                                         " (this build reads version " +
                                         std::to_string(kStreamStateFormatVersion) + ")");
  }
  VIGIL_RETURN_IF_ERROR(r.U32("payload_crc32", &crc));
  VIGIL_RETURN_IF_ERROR(r.U64("payload_size", &payload_size));
  const uint64_t available = bytes.size() - kStateHeaderSize;
  if (payload_size != available) {
    return r.Error("payload_size", "says " + std::to_string(payload_size) + " bytes but " +
                                       std::to_string(available) + " follow the header" +
                                       (payload_size > available ? " (truncated)" : " (trailing bytes)"));
  }
  std::span<const uint8_t> payload = bytes.subspan(kStateHeaderSize);
  const uint32_t actual = core::Crc32(payload);
  if (actual != crc) {
    return Status::Corruption(source + ": offset 12: field 'payload_crc32': stored " + Hex32(crc) +
                              ", computed " + Hex32(actual) + " over the " + std::to_string(payload.size()) +
                              " payload bytes at offset " + std::to_string(kStateHeaderSize) +
                              " (damaged state)");
  }
  return payload;
}

}  // namespace

std::vector<uint8_t> StreamScorer::SaveState() const {
  State& s = *state_;
  core::ByteWriter payload;
  const Fingerprint f = FingerprintOf(s.model, s.features.out_dim(), s.model_crc);
  WriteBlock(payload, [&](core::ByteWriter& w) { WriteFingerprint(w, f); });
  WriteBlock(payload, [&](core::ByteWriter& w) { s.features.SaveState(w); });
  WriteBlock(payload, [&](core::ByteWriter& w) { s.smoother.SaveState(w); });
  WriteBlock(payload, [&](core::ByteWriter& w) { s.threshold->Save(w); });
  WriteBlock(payload, [&](core::ByteWriter& w) { s.debouncer.SaveState(w); });
  WriteBlock(payload, [&](core::ByteWriter& w) { SaveScorerBlock(s.fixed, s.fixed_value, s.out, w); });

  core::ByteWriter out;
  out.Raw(kStateMagic, sizeof kStateMagic);
  out.U32(kStreamStateFormatVersion);
  out.U32(core::Crc32(payload.bytes()));
  out.U64(payload.size());
  out.Raw(payload.bytes().data(), payload.size());
  return std::move(out.bytes());
}

Status StreamScorer::LoadState(std::span<const uint8_t> bytes) {
  State& s = *state_;
  VIGIL_ASSIGN_OR_RETURN(std::span<const uint8_t> payload, Unwrap(bytes));
  core::ByteReader r(payload, kSource, kStateHeaderSize);

  Fingerprint saved;
  VIGIL_RETURN_IF_ERROR(
      LoadBlock(r, "model fingerprint", [&](core::ByteReader& in) { return ReadFingerprint(in, &saved); }));
  VIGIL_RETURN_IF_ERROR(
      CompareFingerprints(saved, FingerprintOf(s.model, s.features.out_dim(), s.model_crc)));

  State next(s.model);
  VIGIL_RETURN_IF_ERROR(
      LoadBlock(r, "window features", [&](core::ByteReader& in) { return next.features.LoadState(in); }));
  VIGIL_RETURN_IF_ERROR(
      LoadBlock(r, "score smoothing", [&](core::ByteReader& in) { return next.smoother.LoadState(in); }));
  VIGIL_RETURN_IF_ERROR(
      LoadBlock(r, "threshold", [&](core::ByteReader& in) { return next.threshold->Load(in); }));
  VIGIL_RETURN_IF_ERROR(
      LoadBlock(r, "debouncer", [&](core::ByteReader& in) { return next.debouncer.LoadState(in); }));
  VIGIL_RETURN_IF_ERROR(LoadBlock(r, "scorer", [&](core::ByteReader& in) {
    return LoadScorerBlock(in, &next.fixed, &next.fixed_value, &next.out);
  }));
  if (r.remaining() != 0) {
    r.BeginField();
    return r.Error("payload", std::to_string(r.remaining()) + " bytes after the last block");
  }

  // Everything checked: commit. `out` is updated in place so references from Step() stay valid.
  s.features = std::move(next.features);
  s.smoother = std::move(next.smoother);
  s.debouncer = next.debouncer;
  s.threshold = std::move(next.threshold);
  s.fixed = next.fixed;
  s.fixed_value = next.fixed_value;
  s.out.timestamp = next.out.timestamp;
  s.out.score = next.out.score;
  s.out.threshold = next.out.threshold;
  s.out.above = next.out.above;
  s.out.alarm = next.out.alarm;
  std::copy(next.out.contributions.begin(), next.out.contributions.end(), s.out.contributions.begin());
  return Status::OK();
}

}  // namespace vigil
