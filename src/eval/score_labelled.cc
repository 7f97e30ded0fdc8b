#include <cmath>

#include "vigil/evaluate.h"

namespace vigil {

ScoredRun ScoreLabelled(const Model& model, const LabelledTable& table, size_t skip, int label_index,
                        int changepoint_index, double fixed_threshold) {
  ScoredRun run;
  StreamScorer scorer(model);
  if (fixed_threshold >= 0) scorer.SetFixedThreshold(fixed_threshold);
  const size_t rows = table.frames.rows();
  const size_t labels = table.has_label.size();
  auto label = [&](size_t r, int idx) -> uint8_t {
    if (idx < 0) return 0;
    float v = table.labels[r * labels + static_cast<size_t>(idx)];
    return std::isfinite(v) && v != 0 ? 1 : 0;
  };
  for (size_t r = 0; r < rows; ++r) {
    const ScoredFrame& s = scorer.Step(table.frames.row(r));
    if (r < skip) continue;
    run.timestamps.push_back(s.timestamp);
    run.scores.push_back(s.threshold > 0 ? s.score / s.threshold : s.score);
    run.alarms.push_back(s.alarm ? 1 : 0);
    run.anomaly.push_back(label(r, label_index));
    run.changepoint.push_back(label(r, changepoint_index));
  }
  return run;
}

DetectionReport Summarize(const std::vector<ScoredRun>& runs, double nab_window_seconds) {
  DetectionReport rep;
  std::vector<uint8_t> truth, pred;
  std::vector<double> scores;
  std::vector<NabSeries> nab;
  for (const ScoredRun& r : runs) {
    truth.insert(truth.end(), r.anomaly.begin(), r.anomaly.end());
    pred.insert(pred.end(), r.alarms.begin(), r.alarms.end());
    scores.insert(scores.end(), r.scores.begin(), r.scores.end());
    NabSeries s;
    s.timestamps = r.timestamps;
    s.true_changepoints = r.changepoint;
    s.predicted_changepoints = ChangepointsFromAlarms(r.alarms);
    for (uint8_t c : r.changepoint) rep.has_changepoints |= c != 0;
    nab.push_back(std::move(s));
  }
  rep.files = runs.size();
  rep.rows = truth.size();
  rep.binary = ComputeBinaryMetrics(truth, pred);
  rep.auc_roc = AucRoc(scores, truth);
  rep.auc_pr = AucPr(scores, truth);
  if (rep.has_changepoints) rep.nab = NabScore(nab, nab_window_seconds);
  return rep;
}

}  // namespace vigil
