// vigil/model.h — a fitted, saveable anomaly model and its streaming scorer.
//
//   vigil::FitOptions opt;  opt.detector = "pca";
//   vigil::Result<vigil::Model> m = vigil::Model::Fit(normal_table, opt);   // normal data only
//   VIGIL_RETURN_IF_ERROR(m->Save("line1.vgm"));
//
//   auto loaded = vigil::Model::Load("line1.vgm");        // Corruption on a damaged file
//   vigil::StreamScorer scorer(*loaded);
//   const vigil::ScoredFrame& s = scorer.Step(frame);     // score, threshold, alarm, causes
//   std::vector<uint8_t> checkpoint = scorer.SaveState();  // e.g. to a database, now and then
//   // after a restart, with a scorer of the same model file:
//   vigil::StreamScorer restarted(*loaded);
//   VIGIL_RETURN_IF_ERROR(restarted.LoadState(checkpoint));  // continues where `scorer` stopped
//
// A model = input schema + window features + detector + threshold + alarm policy. The
// model is immutable after Fit/Load and may be shared by many scorers across threads; a
// StreamScorer holds one stream's state (window, score smoothing, SPOT, debounce) and is not
// thread-safe (SaveState included). A scorer refers to its model, which must outlive it.
//
// File format (.vgm), all little-endian, fixed width:
//   0   char[8]  magic "VIGILMDL"
//   8   u32      format version (2; 1 is still read)
//   12  u32      header size (64)
//   16  u64      payload size in bytes
//   24  u32      CRC-32 (zlib polynomial) of the payload
//   28  u32      reserved (0)
//   32  u64      creation time, seconds since the Unix epoch
//   40  char[24] zero padding
//   64  payload  (see model.cc: schema, features, detector, threshold, alarm policy)
// Loading maps the file read-only, checks magic, version, sizes and CRC before parsing, and
// every parse step is bounds-checked: a truncated or corrupt file is an error naming the byte
// offset and field, never a crash. Neural detectors keep the mapping and run on their weights
// where they lie in the file (64-byte aligned), so loading copies no weights.
//
// Stream state format (StreamScorer::SaveState), all little-endian, fixed width:
//   0   char[8]  magic "VIGILSST"
//   8   u32      state format version (1)
//   12  u32      CRC-32 (zlib polynomial) of the payload
//   16  u64      payload size in bytes
//   24  payload  six blocks, each a u64 size then its bytes, in this order:
//                model fingerprint (channel names, window features, smoothing, min_run,
//                detector name and input dim, threshold kind, CRC-32 of the serialized model),
//                window features, score smoothing, threshold (Threshold::Save, with SPOT's
//                streaming adaptation), debouncer, scorer (fixed-threshold override, last output).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/detector.h"
#include "vigil/frame.h"
#include "vigil/status.h"
#include "vigil/threshold.h"

namespace vigil {

// Version 2 aligns every component to 64 bytes in the file (see model.cc); 1 still loads.
inline constexpr uint32_t kModelFormatVersion = 2;
// Version of StreamScorer::SaveState bytes (format above).
inline constexpr uint32_t kStreamStateFormatVersion = 1;

struct FitOptions {
  std::string detector = "pca";
  DetectorOptions detector_options;
  // Sliding-window features (window 0/1 = raw channels). stats: bitmask of
  // raw=1, mean=2, std=4, diff=8, or lags=16 alone (see detect/window_features.h).
  uint32_t window = 0;
  uint32_t window_stats = 1 | 2 | 4;
  // Causal exponential smoothing of every channel before the window features, weight of the
  // newest frame in (0, 1); 0 = off.
  float input_smoothing = 0.0f;
  ThresholdOptions threshold;
  uint32_t smooth = 1;   // causal rolling median of the score over this many frames
  uint32_t min_run = 1;  // consecutive exceedances before an alarm
  // Threshold calibration. 0: on the in-sample scores of the fitted detector. K >= 2: on
  // out-of-fold scores — the training rows are cut into K contiguous folds in time order,
  // each fold is scored by a detector fitted on the other K−1, and the threshold is learned
  // from those scores (in-sample scores of flexible detectors are optimistically small).
  uint32_t calibration_folds = 0;
};

struct ModelInfo {
  uint64_t training_rows = 0;
  uint64_t created_unix = 0;
  uint32_t format_version = kModelFormatVersion;
  uint64_t file_bytes = 0;
};

class Model {
 public:
  // Fits on normal frames only. InvalidArgument if options are bad or data too short.
  static Result<Model> Fit(const FrameTable& normal, const FitOptions& options);
  static Result<Model> Load(const std::string& path);
  Status Save(const std::string& path) const;

  // Re-stores the detector's network weights at a lower precision (Detector::Quantize: "fp16",
  // "int8"; int8 needs calibration).
  // `calibration` (may be null): normal frames with this model's channels, in order; they pass
  // through the model's window features and the conversion's error is measured on them. The
  // threshold is kept. InvalidArgument naming the channel for a schema mismatch, or from the
  // detector. Not thread-safe: call before sharing the model.
  Status Quantize(std::string_view type, const FrameTable* calibration);
  // Mixed precision chosen for this machine (Detector::QuantizeRouted) on normal `calibration`
  // frames; the threshold is handled as by Quantize. `report` (may be null) gets the route table.
  Status QuantizeRouted(const RouteRequest& request, const FrameTable& calibration, std::string* report);
  // Writes the model to bytes (the exact file contents).
  std::vector<uint8_t> Serialize() const;
  // Parses file contents; `source` names the origin in error messages. The bytes may be freed
  // afterwards (anything the model needs is copied).
  static Result<Model> Deserialize(std::span<const uint8_t> bytes, const std::string& source);

  const FrameSchema& schema() const { return schema_; }
  const Detector& detector() const { return *detector_; }
  const Threshold& threshold() const { return *threshold_; }
  const ModelInfo& info() const { return info_; }
  uint32_t window() const { return window_; }
  uint32_t window_stats() const { return window_stats_; }
  float input_smoothing() const { return input_smoothing_; }
  uint32_t smooth() const { return smooth_; }
  uint32_t min_run() const { return min_run_; }
  uint32_t calibration_folds() const { return calibration_folds_; }
  // Names of the detector's input features (channels, or channel.stat<window>).
  std::vector<std::string> FeatureNames() const;
  // Multi-line human-readable description (vigil inspect).
  void Describe(std::ostream& os) const;

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

 private:
  friend class StreamScorer;
  Model();
  // `owner`, when set, keeps `bytes` alive for as long as any part of the model wants it.
  static Result<Model> DeserializeFrom(std::span<const uint8_t> bytes, const std::string& source,
                                       std::shared_ptr<const void> owner);
  // Calibration frames through the window features, burn-in rows dropped (`rows` of them left).
  Result<std::vector<float>> CalibrationFeatures(const FrameTable* calibration, size_t* rows) const;
  Status RefitThresholdAfterConversion(const std::vector<float>& features, size_t rows);
  FrameSchema schema_;
  uint32_t window_ = 0;
  uint32_t window_stats_ = 1;
  float input_smoothing_ = 0.0f;
  uint32_t smooth_ = 1;
  uint32_t min_run_ = 1;
  uint32_t calibration_folds_ = 0;
  std::unique_ptr<Detector> detector_;
  std::unique_ptr<Threshold> threshold_;
  ModelInfo info_;
};

struct ScoredFrame {
  double timestamp = 0;
  double score = 0;                  // smoothed detector score
  double threshold = 0;              // threshold in force for this frame
  bool above = false;                // score > threshold
  bool alarm = false;                // debounced
  std::vector<float> contributions;  // per input channel, sums to 1 when score > 0
};

class StreamScorer {
 public:
  explicit StreamScorer(const Model& model);
  ~StreamScorer();
  // Overrides the learned threshold with a fixed value (vigil score --threshold).
  void SetFixedThreshold(double value);
  // values.size() must equal the model's channel count (checked: programmer error).
  const ScoredFrame& Step(FrameView frame);
  // Channels ordered by contribution, largest first, at most `max`, skipping shares < min_share.
  std::vector<std::pair<size_t, float>> TopChannels(size_t max, float min_share = 0.05f) const;
  // The output of the last Step() (or restored by LoadState); zeros before the first.
  const ScoredFrame& last() const;

  // Serializes this stream's state (feature windows, input smoothing, score smoothing, the
  // threshold's streaming adaptation, debounce, fixed-threshold override, last output) so that
  // a restarted process continues exactly where this one stopped: a scorer of the same model
  // that loads these bytes returns from every later Step() what this one would have, bit for
  // bit. Versioned, checksummed bytes (format at the top of this file), roughly window ×
  // channels × 4 + smooth × 8 + SPOT excesses × 16 bytes plus the channel names. The first
  // call serializes the model once to fingerprint it; later calls only copy the state.
  std::vector<uint8_t> SaveState() const;
  // Restores SaveState() bytes. Errors, after which the scorer is unchanged and usable:
  // - Corruption for damaged, truncated or unknown-version bytes; the message names the
  //   field and byte offset.
  // - InvalidArgument when the bytes were saved by a scorer of a different model (other
  //   channels, features, detector, threshold, or the same layout fitted again); the message
  //   says what differs.
  // The reference returned by Step() stays valid and shows the restored last output.
  Status LoadState(std::span<const uint8_t> bytes);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vigil
