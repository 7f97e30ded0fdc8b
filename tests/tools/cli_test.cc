// Integration tests: the real vigil binary on real SKAB files and on broken inputs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;

using vigil::testing::CliRun;
using vigil::testing::Vigil;

std::string Skab(const std::string& rel) { return std::string(VIGIL_SKAB_DIR) + "/" + rel; }

std::string Temp(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << content;
  return path;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool IsNumber(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// "2020-03-09 10:14:33,<score>,<threshold>,<0|1>,<Name:0.61|Other name:0.22>"
bool ValidScoreRow(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(cur);
  if (f.size() != 5) return false;
  const std::string& ts = f[0];
  if (ts.size() != 19 || ts.compare(0, 11, "2020-03-09 ") != 0 || ts[13] != ':' || ts[16] != ':')
    return false;
  if (!IsNumber(f[1]) || !IsNumber(f[2]) || (f[3] != "0" && f[3] != "1")) return false;
  if (f[4].empty()) return true;
  size_t start = 0;
  while (start <= f[4].size()) {
    size_t bar = f[4].find('|', start);
    std::string item = f[4].substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    size_t colon = item.rfind(':');
    if (colon == 0 || colon == std::string::npos) return false;
    std::string share = item.substr(colon + 1);
    if (share.size() != 4 || share[1] != '.' || !IsNumber(share)) return false;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return true;
}

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = ::testing::TempDir() + "/cli_test_pca.vgm";
    CliRun r = Vigil("fit --detector pca --input " + Skab("valve1/0.csv") + " --train-rows 400 -o " + model_);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static std::string model_;
};
std::string CliTest::model_;

TEST_F(CliTest, ScoreWritesOneRowPerInputRowWithCauses) {
  CliRun r = Vigil("score --model " + model_ + " --input " + Skab("valve1/0.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1 + 1147u);
  EXPECT_EQ(lines[0], "timestamp,score,threshold,alarm,top_channels");
  size_t alarms = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    ASSERT_TRUE(ValidScoreRow(lines[i])) << "line " << i << ": " << lines[i];
    alarms += lines[i].find(",1,") != std::string::npos;
  }
  EXPECT_GT(alarms, 20u);  // the valve closure is found
}

TEST_F(CliTest, ScoreStreamsFromStdinToFile) {
  std::string out = ::testing::TempDir() + "/cli_scores.csv";
  CliRun r = Vigil("score --model " + model_ + " --input - -o " + out + " < " + Skab("valve1/0.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(Lines(ss.str()).size(), 1148u);
  CliRun piped = Vigil("score --model " + model_ + " < " + Skab("valve1/0.csv") + " | head -n 3");
  EXPECT_EQ(Lines(piped.out).size(), 3u);
}

TEST_F(CliTest, InspectDescribesTheModel) {
  CliRun r = Vigil("inspect " + model_);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* want : {"detector: pca", "channels: 8 (Accelerometer1RMS", "Volume Flow RateRMS)",
                           "window: 20 (mean)", "components:", "scaling: standard",
                           "threshold:", "kind: quantile", "training_rows: 400", "file_bytes:"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
}

TEST_F(CliTest, EvalFilePrintsAllMetrics) {
  CliRun r = Vigil("eval file --model " + model_ + " --input " + Skab("valve1/0.csv") +
                   " --label-column anomaly --skip-rows 400");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* want :
       {"F1: ", "FAR: ", "MAR: ", "precision: ", "recall: ", "AUC-ROC: ", "AUC-PR: ", "NAB standard: "}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
  CliRun bad =
      Vigil("eval file --model " + model_ + " --input " + Skab("valve1/0.csv") + " --label-column broken");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("no label column 'broken'"), std::string::npos) << bad.err;
}

TEST_F(CliTest, EveryDetectorFitsAndScores) {
  for (const char* det : {"zscore", "pca", "iforest"}) {
    std::string m = ::testing::TempDir() + "/cli_" + det + ".vgm";
    CliRun fit = Vigil(std::string("fit --detector ") + det + " -i " + Skab("other/1.csv") +
                       " --train-rows 400 -o " + m);
    ASSERT_EQ(fit.code, 0) << det << ": " << fit.err;
    CliRun score = Vigil("score -m " + m + " -i " + Skab("other/1.csv"));
    ASSERT_EQ(score.code, 0) << det << ": " << score.err;
    EXPECT_EQ(Lines(score.out).size(), 1 + 745u);  // other/1.csv has 745 rows
  }
}

TEST_F(CliTest, ColumnsSelectFeatures) {
  std::string m = ::testing::TempDir() + "/cli_cols.vgm";
  CliRun fit =
      Vigil("fit --detector zscore -i " + Skab("valve1/1.csv") + " --columns Current,Pressure -o " + m);
  ASSERT_EQ(fit.code, 0) << fit.err;
  CliRun ins = Vigil("inspect " + m);
  EXPECT_NE(ins.out.find("channels: 2 (Current, Pressure)"), std::string::npos) << ins.out;
}

struct BadInput {
  const char* name;
  const char* content;
  const char* expected;  // substring of stderr
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << b.name; }

class CliBadInputTest : public CliTest, public ::testing::WithParamInterface<BadInput> {};

TEST_P(CliBadInputTest, FitFailsWithLocationAndExitCode2) {
  const BadInput& b = GetParam();
  std::string path = Temp(std::string(b.name) + ".csv", b.content);
  CliRun r = Vigil("fit --detector zscore -i " + path + " -o " + ::testing::TempDir() + "/never.vgm");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(path + std::string(b.expected)), std::string::npos) << "stderr: " << r.err;
}

INSTANTIATE_TEST_SUITE_P(Cases, CliBadInputTest,
                         ::testing::Values(BadInput{"empty", "", ":1:1: empty file"},
                                           BadInput{"ragged", "t,a,b\n1,2,3\n2,3\n",
                                                    ":3: expected 3 fields, found 2"},
                                           BadInput{"nonnumeric", "t,a,b\n1,2,3\n2,x7,3\n", ":3:2: "},
                                           BadInput{"inf", "t,a,b\n1,2,3\n2,inf,3\n", ":3:2: "},
                                           BadInput{"noheader", "1,2,3\n4,5,6\n", ":1:1: missing header"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(CliTest, UserErrorsExit2WithClearMessages) {
  CliRun unknown_col = Vigil("fit -i " + Skab("valve1/1.csv") + " --columns Current,Nope -o x.vgm");
  EXPECT_EQ(unknown_col.code, 2);
  EXPECT_NE(unknown_col.err.find("unknown column 'Nope'"), std::string::npos) << unknown_col.err;

  CliRun unknown_det = Vigil("fit --detector lstm -i " + Skab("valve1/1.csv") + " -o x.vgm");
  EXPECT_EQ(unknown_det.code, 2);
  EXPECT_NE(unknown_det.err.find("unknown detector 'lstm' (valid: zscore, pca, iforest, ae, conv-ae, tf-ae)"), std::string::npos);

  CliRun missing_file = Vigil("fit -i /nonexistent.csv -o x.vgm");
  EXPECT_EQ(missing_file.code, 2);
  EXPECT_NE(missing_file.err.find("/nonexistent.csv"), std::string::npos);

  std::string corrupt = Temp("corrupt.vgm", "VIGILMDL garbage");
  CliRun bad_model = Vigil("score -m " + corrupt + " -i " + Skab("valve1/1.csv"));
  EXPECT_EQ(bad_model.code, 2);
  EXPECT_NE(bad_model.err.find(corrupt + ": offset"), std::string::npos) << bad_model.err;

  // A truncated real model.
  std::ifstream in(model_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string cut = Temp("truncated.vgm", bytes.substr(0, bytes.size() / 2));
  CliRun truncated = Vigil("inspect " + cut);
  EXPECT_EQ(truncated.code, 2);
  EXPECT_NE(truncated.err.find("truncated file"), std::string::npos) << truncated.err;

  // The model's channels must be in the scored file.
  std::string other = Temp("other_cols.csv", "t,x,y\n1,2,3\n");
  CliRun wrong_cols = Vigil("score -m " + model_ + " -i " + other);
  EXPECT_EQ(wrong_cols.code, 2);
  EXPECT_NE(wrong_cols.err.find("unknown column 'Accelerometer1RMS'"), std::string::npos) << wrong_cols.err;

  CliRun bad_flag = Vigil("fit --no-such-flag");
  EXPECT_EQ(bad_flag.code, 2);
  CliRun no_cmd = Vigil("");
  EXPECT_EQ(no_cmd.code, 2);
}

TEST_F(CliTest, MissingPolicies) {
  std::string gaps = Temp("gaps.csv", "t,a,b\n1,1,2\n2,,3\n3,2,NaN\n4,1.5,2.5\n5,1,2\n6,2,3\n7,1,2\n");
  std::string m = ::testing::TempDir() + "/gaps.vgm";
  CliRun hold = Vigil("fit --detector zscore --window 0 --calibration-folds 0 -i " + gaps + " -o " + m);
  EXPECT_EQ(hold.code, 0) << hold.err;
  CliRun fail = Vigil("fit --detector zscore --window 0 --missing fail -i " + gaps + " -o " + m);
  EXPECT_EQ(fail.code, 2);
  EXPECT_NE(fail.err.find(gaps + ":3:2: "), std::string::npos) << fail.err;
  CliRun scored = Vigil("score -m " + m + " --missing skip -i " + gaps);
  EXPECT_EQ(scored.code, 0) << scored.err;
  EXPECT_EQ(Lines(scored.out).size(), 1 + 5u);  // two rows with a missing cell skipped
}

TEST(CliSkabTest, EvalSkabReachesTheAcceptanceBar) {
  std::string json = ::testing::TempDir() + "/skab.json";
  CliRun r = Vigil(std::string("eval skab ") + VIGIL_SKAB_DIR + " --json " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("34 files"), std::string::npos) << r.out;
  std::ifstream f(json);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string j = ss.str();
  // Pull "f1" and "far_pct" of each detector from the JSON text.
  auto field = [&](const std::string& det, const std::string& key) {
    size_t at = j.find("\"" + det + "\"");
    EXPECT_NE(at, std::string::npos) << det;
    size_t k = j.find("\"" + key + "\"", at);
    return std::stod(j.substr(j.find(':', k) + 1));
  };
  EXPECT_GE(field("pca", "f1"), 0.74);
  EXPECT_LE(field("pca", "far_pct"), 27.0);
  for (const char* det : {"zscore", "pca", "iforest"}) {
    EXPECT_GT(field(det, "f1"), 0.29) << det;
    EXPECT_LT(field(det, "far_pct"), 50.0) << det;
  }
}

TEST(CliDemoTest, DemoRunsOnShippedDataAndReportsAlarms) {
  CliRun r = Vigil("demo --rate 0");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("ALARM"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("caused by "), std::string::npos);
  EXPECT_NE(r.out.find("F1 "), std::string::npos);
  EXPECT_NE(r.out.find("FAR "), std::string::npos);
}

}  // namespace

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(CliNeuralTest, AutoencodersFitScoreInspectAndBench) {
  const std::string conv = ::testing::TempDir() + "/cli_conv_ae.vgm";
  CliRun fit = Vigil("fit --detector conv-ae --window 32 --channels 8,4 --kernel 5 --epochs 8 -i " +
                     Skab("other/1.csv") + " --train-rows 400 -o " + conv);
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_NE(fit.err.find("vigil: trained "), std::string::npos) << fit.err;
  CliRun score = Vigil("score -m " + conv + " -i " + Skab("other/1.csv"));
  ASSERT_EQ(score.code, 0) << score.err;
  EXPECT_EQ(Lines(score.out).size(), 1 + 745u);

  CliRun inspect = Vigil("inspect " + conv);
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("detector: conv-ae"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("conv1d(8,k5,s2,relu) conv1d(4,k5,s2,relu) up(2)"), std::string::npos)
      << inspect.out;
  EXPECT_NE(inspect.out.find("read in place from the mapped file"), std::string::npos) << inspect.out;

  const std::string json = ::testing::TempDir() + "/cli_bench.json";
  CliRun bench = Vigil("bench " + conv + " --batch 4 --iters 50 --warmup 5 --json " + json);
  ASSERT_EQ(bench.code, 0) << bench.err;
  for (const char* key : {"latency_us (per run): p50", "per_inference_us:", "arena_bytes:", "weight_bytes:",
                          "bytes_moved_per_inference:", "copies_per_run: 0", "load_to_first_score_us:"}) {
    EXPECT_NE(bench.out.find(key), std::string::npos) << key << "\n" << bench.out;
  }
  const std::string j = ReadAll(json);
  EXPECT_NE(j.find("\"p99_us\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"weights_mapped\": true"), std::string::npos) << j;
  CliRun threaded = Vigil("bench " + conv + " --batch 8 --threads 2 --iters 20");
  EXPECT_EQ(threaded.code, 0) << threaded.err;

  const std::string ae = ::testing::TempDir() + "/cli_ae.vgm";
  CliRun fit_ae = Vigil("fit --detector ae --window 10 --hidden 32,8 --epochs 5 -i " + Skab("other/1.csv") +
                        " --train-rows 400 -o " + ae);
  ASSERT_EQ(fit_ae.code, 0) << fit_ae.err;
  CliRun inspect_ae = Vigil("inspect " + ae);
  EXPECT_NE(inspect_ae.out.find("[80] dense(32,relu) dense(8,relu) dense(32,relu) dense(80,linear)"),
            std::string::npos)
      << inspect_ae.out;
}

TEST(CliNeuralTest, TransformerAutoencoderFitsScoresAndInspects) {
  const std::string m = ::testing::TempDir() + "/cli_tf_ae.vgm";
  CliRun fit = Vigil("fit --detector tf-ae --tf-dim 16 --tf-heads 2 --tf-hidden 32 --epochs 4 -i " +
                     Skab("other/1.csv") + " --train-rows 400 -o " + m);
  ASSERT_EQ(fit.code, 0) << fit.err;
  CliRun score = Vigil("score -m " + m + " -i " + Skab("other/1.csv"));
  ASSERT_EQ(score.code, 0) << score.err;
  EXPECT_EQ(Lines(score.out).size(), 1 + 745u);
  CliRun inspect = Vigil("inspect " + m);
  EXPECT_NE(inspect.out.find("detector: tf-ae"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("[16,8] conv1d(16,k1,s1,linear) block(h2,mlp32) conv1d(8,k1,s1,linear)"),
            std::string::npos)
      << inspect.out;
  EXPECT_EQ(Vigil("bench " + m + " --iters 20").code, 0);
  CliRun bad = Vigil("fit --detector tf-ae --tf-dim 10 --tf-heads 4 -i " + Skab("other/1.csv") + " -o " + m);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("tf-ae dim 10 must be in 1..1024 and a multiple of heads 4"), std::string::npos) << bad.err;
}

TEST(CliNeuralTest, QuantizeStoresFp16WeightsAndReportsTheirError) {
  const std::string m = ::testing::TempDir() + "/cli_q32.vgm";
  const std::string h = ::testing::TempDir() + "/cli_q16.vgm";
  ASSERT_EQ(Vigil("fit --detector conv-ae --window 16 --channels 8,4 --kernel 5 --epochs 4 -i " + Skab("other/1.csv") +
                  " --train-rows 400 -o " + m)
                .code,
            0);
  CliRun q = Vigil("quantize " + m + " --to fp16 --calibration " + Skab("other/1.csv") +
                   " --calibration-rows 400 -o " + h);
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_NE(q.err.find("stored conv-ae weights as f16"), std::string::npos) << q.err;
  CliRun inspect = Vigil("inspect " + h);
  EXPECT_NE(inspect.out.find("network: [16,8] f16 conv1d(8,k5,s2,relu)"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("weights: f16, relative RMS output change per layer vs f32 on 385 calibration rows: "),
            std::string::npos)
      << inspect.out;
  CliRun bench = Vigil("bench " + h + " --iters 20");
  EXPECT_NE(bench.out.find("weights f16"), std::string::npos) << bench.out;
  // Both models score every row; their scores differ only in the last digits.
  CliRun s32 = Vigil("score -m " + m + " -i " + Skab("other/1.csv"));
  CliRun s16 = Vigil("score -m " + h + " -i " + Skab("other/1.csv"));
  ASSERT_EQ(s16.code, 0) << s16.err;
  EXPECT_EQ(Lines(s16.out).size(), Lines(s32.out).size());

  const std::string i8 = ::testing::TempDir() + "/cli_q8.vgm";
  CliRun no_data = Vigil("quantize " + m + " --to int8 -o " + i8);
  EXPECT_EQ(no_data.code, 2);
  EXPECT_NE(no_data.err.find("int8 needs calibration data"), std::string::npos) << no_data.err;
  CliRun q8 = Vigil("quantize " + m + " --to int8 --calibration " + Skab("other/1.csv") +
                    " --calibration-rows 400 -o " + i8);
  ASSERT_EQ(q8.code, 0) << q8.err;
  EXPECT_NE(Vigil("inspect " + i8).out.find("network: [16,8] int8 conv1d(8,k5,s2,relu)"), std::string::npos);
  EXPECT_NE(Vigil("bench " + i8 + " --iters 20").out.find("weights int8, uint8 x int8 products"), std::string::npos);
  CliRun s8 = Vigil("score -m " + i8 + " -i " + Skab("other/1.csv"));
  ASSERT_EQ(s8.code, 0) << s8.err;
  EXPECT_EQ(Lines(s8.out).size(), Lines(s32.out).size());

  CliRun pca_fit = Vigil("fit --detector pca -i " + Skab("other/1.csv") + " -o " + m);
  ASSERT_EQ(pca_fit.code, 0);
  CliRun pca = Vigil("quantize " + m + " --to fp16 -o " + h);
  EXPECT_EQ(pca.code, 2);
  EXPECT_NE(pca.err.find("detector pca has no network weights to quantize"), std::string::npos) << pca.err;
  CliRun wrong = Vigil("quantize " + m + " --to int4 -o " + h);
  EXPECT_EQ(wrong.code, 2);
}

TEST(CliNeuralTest, RouteAutoChoosesATypePerLayerWithinTheBudget) {
  const std::string m = ::testing::TempDir() + "/cli_route32.vgm";
  const std::string routed = ::testing::TempDir() + "/cli_routed.vgm";
  ASSERT_EQ(Vigil("fit --detector ae --window 10 --hidden 32,8 --epochs 4 -i " + Skab("other/1.csv") +
                  " --train-rows 400 -o " + m)
                .code,
            0);
  const std::string calibration = " --calibration " + Skab("other/1.csv") + " --calibration-rows 400";
  CliRun q = Vigil("quantize " + m + " --to auto --accuracy-budget 0.02" + calibration + " -o " + routed);
  ASSERT_EQ(q.code, 0) << q.err;
  // The route table: every layer with its measured time per type, its choice and why.
  for (const char* key : {"route: objective latency, accuracy budget 0.0200, batch 1; output change ", "fp32 us",
                          "dense(32,relu)", "dense(8,relu)", "dense(80,linear)"}) {
    EXPECT_NE(q.err.find(key), std::string::npos) << key << "\n" << q.err;
  }
  CliRun inspect = Vigil("inspect " + routed);
  // The choice follows the times measured here: where no lower type is faster (e.g. under
  // sanitizer instrumentation) every layer stays FP32 and there is no conversion error to report.
  if (inspect.out.find("weights: f32") == std::string::npos) {
    EXPECT_NE(inspect.out.find("relative RMS output change per layer vs f32 on 391 calibration rows"),
              std::string::npos)
        << inspect.out;
  } else {
    EXPECT_EQ(inspect.out.find("relative RMS output change"), std::string::npos) << inspect.out;
  }
  // Scoring through a route chosen on the spot, and with the energy objective.
  CliRun s = Vigil("score -m " + m + " --route auto --objective energy" + calibration + " -i " + Skab("other/1.csv"));
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.err.find("route: objective energy"), std::string::npos) << s.err;
  CliRun plain = Vigil("score -m " + m + " -i " + Skab("other/1.csv"));
  EXPECT_EQ(Lines(s.out).size(), Lines(plain.out).size());
  // Errors: no calibration, a bad objective, a bad route, a model without a network.
  CliRun no_data = Vigil("quantize " + m + " --to auto -o " + routed);
  EXPECT_EQ(no_data.code, 2);
  EXPECT_NE(no_data.err.find("--to auto needs --calibration"), std::string::npos) << no_data.err;
  CliRun objective = Vigil("quantize " + m + " --to auto --objective speed" + calibration + " -o " + routed);
  EXPECT_EQ(objective.code, 2);
  EXPECT_NE(objective.err.find("unknown objective 'speed' (valid: latency, energy)"), std::string::npos) << objective.err;
  CliRun route = Vigil("score -m " + m + " --route fastest -i " + Skab("other/1.csv"));
  EXPECT_EQ(route.code, 2);
  EXPECT_NE(route.err.find("--route: 'fastest' (valid: auto, stored)"), std::string::npos) << route.err;
  ASSERT_EQ(Vigil("fit --detector pca -i " + Skab("other/1.csv") + " -o " + m).code, 0);
  CliRun pca = Vigil("score -m " + m + " --route auto" + calibration + " -i " + Skab("other/1.csv"));
  EXPECT_EQ(pca.code, 2);
  EXPECT_NE(pca.err.find("detector pca has no network weights to route"), std::string::npos) << pca.err;
}

TEST(CliNeuralTest, BadArchitectureFlagsExit2) {
  const std::string m = ::testing::TempDir() + "/cli_bad_ae.vgm";
  CliRun hidden = Vigil("fit --detector ae --hidden 12x,4 -i " + Skab("other/1.csv") + " -o " + m);
  EXPECT_EQ(hidden.code, 2);
  EXPECT_NE(hidden.err.find("--hidden: '12x' is not an integer"), std::string::npos) << hidden.err;
  CliRun window = Vigil("fit --detector conv-ae --window 30 -i " + Skab("other/1.csv") + " -o " + m);
  EXPECT_EQ(window.code, 2);
  EXPECT_NE(window.err.find("multiple of 4"), std::string::npos) << window.err;
  CliRun kernel = Vigil("fit --detector conv-ae --kernel 4 -i " + Skab("other/1.csv") + " -o " + m);
  EXPECT_EQ(kernel.code, 2);
  EXPECT_NE(kernel.err.find("kernel must be odd"), std::string::npos) << kernel.err;
}

TEST(CliNeuralTest, BenchTimesClassicDetectorsToo) {
  const std::string m = ::testing::TempDir() + "/cli_bench_pca.vgm";
  ASSERT_EQ(Vigil("fit --detector pca -i " + Skab("other/1.csv") + " --train-rows 400 -o " + m).code, 0);
  CliRun bench = Vigil("bench " + m + " --batch 16 --iters 20");
  ASSERT_EQ(bench.code, 0) << bench.err;
  EXPECT_NE(bench.out.find("(pca, weights f32, FP32 arithmetic)"), std::string::npos) << bench.out;
  EXPECT_NE(bench.out.find("parameter_bytes:"), std::string::npos) << bench.out;
  CliRun missing = Vigil("bench /nonexistent/m.vgm");
  EXPECT_EQ(missing.code, 2);
}

}  // namespace

namespace {

TEST(CliSkabTest, ConvAeReachesTheAcceptanceBar) {
  const std::string json = ::testing::TempDir() + "/skab_conv_ae.json";
  CliRun r = Vigil(std::string("eval skab ") + VIGIL_SKAB_DIR + " --detector conv-ae --json " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string j = ReadAll(json);
  auto field = [&](const std::string& key) {
    const size_t k = j.find("\"" + key + "\"", j.find("\"conv-ae\""));
    EXPECT_NE(k, std::string::npos) << key;
    return std::stod(j.substr(j.find(':', k) + 1));
  };
  // Published Conv-AE on SKAB: F1 0.78 with FAR 13.55 %.
  EXPECT_GE(field("f1"), 0.78);
  EXPECT_LE(field("far_pct"), 14.0);

  // FP16 weights lose at most 0.002 F1.
  const std::string json16 = ::testing::TempDir() + "/skab_conv_ae_f16.json";
  CliRun r16 = Vigil(std::string("eval skab ") + VIGIL_SKAB_DIR + " --detector conv-ae --quantize fp16 --json " + json16);
  ASSERT_EQ(r16.code, 0) << r16.err;
  const std::string j16 = ReadAll(json16);
  const size_t k16 = j16.find("\"f1\"", j16.find("\"conv-ae\""));
  ASSERT_NE(k16, std::string::npos) << j16;
  EXPECT_GE(std::stod(j16.substr(j16.find(':', k16) + 1)), field("f1") - 0.002);
}

}  // namespace
