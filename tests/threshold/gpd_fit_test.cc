#include "threshold/gpd_fit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "threshold/threshold_test_util.h"

namespace vigil::threshold {
namespace {

using testing::TestRng;

// Three 40-point samples with their maximum-likelihood GPD fits (location fixed at 0),
// produced offline with scipy 1.10:
//   y = np.round(genpareto.rvs(c, scale=2.0, size=40, random_state=np.random.default_rng(seed)), 6)
//   genpareto.fit(y, floc=0, optimizer=<scipy.optimize.fmin with xtol=1e-13, ftol=1e-15>)
//   genpareto.logpdf(y, c_hat, 0, scale_hat).sum()
// for (c, seed) = (0.4, 11), (0, 12), (-0.3, 13).
struct ScipyCase {
  const char* name;
  std::vector<double> data;
  double gamma;
  double sigma;
  double log_likelihood;
};

const std::vector<ScipyCase>& ScipyCases() {
  static const std::vector<ScipyCase> cases = {
      {"heavy_tail",
       {0.282957,  1.593732, 2.224336, 0.058557, 0.330637, 9.339926, 0.1482,   0.285878, 11.355711, 2.37768,
        1.011133,  1.658633, 2.723908, 0.687335, 0.30592,  4.299682, 2.793891, 1.66405,  4.856882,  1.875881,
        19.360195, 0.479185, 1.904481, 1.513041, 0.952263, 2.153749, 0.566393, 4.560527, 6.216712,  0.283416,
        1.431362,  0.693109, 0.176598, 7.361286, 1.260434, 0.330049, 2.822463, 0.472879, 7.632055,  0.514399},
       0.376245178184,
       1.79050842354,
       -78.3497921226},
      // Drawn with c = 0, but this small sample's MLE has a negative shape.
      {"exponential_draw",
       {0.577564, 5.865625, 0.419765, 0.395174, 0.861225, 0.524136, 2.220029, 0.244515, 4.532687, 3.905695,
        0.005662, 1.559442, 0.226004, 0.596691, 1.07878,  1.208867, 1.262775, 5.248798, 0.598892, 0.416239,
        2.220421, 5.86059,  5.122993, 4.244698, 0.13304,  5.519617, 2.095308, 4.104522, 1.04883,  0.495359,
        3.149784, 2.167257, 3.017739, 0.449652, 0.288553, 2.884672, 0.040872, 5.822807, 0.290255, 1.833133},
       -0.277061429115,
       2.69641192143,
       -68.594422206},
      {"bounded_tail",
       {3.009,    2.933761, 2.62248,  0.579386, 0.158763, 3.896549, 1.655311, 0.005266, 3.433778, 4.768073,
        0.641569, 2.639498, 0.169805, 1.059226, 2.665911, 0.972322, 1.310051, 0.24436,  2.641739, 1.244732,
        0.547029, 2.414763, 4.581454, 1.379725, 2.201671, 5.146757, 0.060901, 1.598402, 4.27725,  0.245007,
        0.486246, 1.420932, 2.127578, 1.42978,  1.412109, 0.104993, 2.212298, 0.730215, 0.151922, 4.099686},
       -0.493812487082,
       2.82760585225,
       -61.8247150333},
  };
  return cases;
}

TEST(GpdFitTest, MatchesScipyMaximumLikelihood) {
  for (const ScipyCase& c : ScipyCases()) {
    SCOPED_TRACE(c.name);
    GpdFit fit = FitGpd(c.data);
    EXPECT_EQ(fit.method, GpdMethod::kGrimshawRoot);
    EXPECT_NEAR(fit.gamma, c.gamma, 1e-6);
    EXPECT_NEAR(fit.sigma, c.sigma, 1e-6 * c.sigma);
    EXPECT_NEAR(fit.log_likelihood, c.log_likelihood, 1e-8);
    EXPECT_NEAR(fit.root, fit.gamma / fit.sigma, 1e-15);
  }
}

TEST(GpdFitTest, ReportedLikelihoodIsTheLikelihoodOfTheParameters) {
  for (const ScipyCase& c : ScipyCases()) {
    SCOPED_TRACE(c.name);
    GpdFit fit = FitGpd(c.data);
    EXPECT_NEAR(fit.log_likelihood, GpdLogLikelihood(c.data, fit.gamma, fit.sigma), 1e-9);
  }
}

TEST(GpdFitTest, FitIsALocalMaximumOfTheLikelihood) {
  for (const ScipyCase& c : ScipyCases()) {
    SCOPED_TRACE(c.name);
    GpdFit fit = FitGpd(c.data);
    for (double dg : {-1e-3, 0.0, 1e-3}) {
      for (double ds : {-1e-3, 0.0, 1e-3}) {
        if (dg == 0 && ds == 0) continue;
        EXPECT_LT(GpdLogLikelihood(c.data, fit.gamma + dg, fit.sigma * (1 + ds)), fit.log_likelihood);
      }
    }
  }
}

// Large samples drawn from known GPDs (fixed seeds): the MLE must land near the truth.
// Standard errors at n = 20000 are about (1 + gamma) / sqrt(n) ~ 0.01 for gamma and
// sigma sqrt(2 (1 + gamma) / n) ~ 1.2% for sigma; tolerances are ~4 standard errors.
void ExpectRecovers(double gamma, double sigma, uint64_t seed) {
  TestRng rng(seed);
  std::vector<double> y(20000);
  for (double& v : y) v = rng.Gpd(gamma, sigma);
  GpdFit fit = FitGpd(y);
  EXPECT_NEAR(fit.gamma, gamma, 0.04) << "seed " << seed;
  EXPECT_NEAR(fit.sigma, sigma, 0.05 * sigma) << "seed " << seed;
  EXPECT_GE(fit.log_likelihood, GpdLogLikelihood(y, gamma, sigma)) << "the truth cannot beat the MLE";
}

TEST(GpdFitTest, RecoversPositiveShape) { ExpectRecovers(0.3, 1.5, 101); }
TEST(GpdFitTest, RecoversZeroShape) { ExpectRecovers(0.0, 1.5, 102); }
TEST(GpdFitTest, RecoversNegativeShape) { ExpectRecovers(-0.3, 1.5, 103); }

TEST(GpdFitTest, IsScaleEquivariant) {
  const std::vector<double>& y = ScipyCases()[0].data;
  std::vector<double> scaled = y;
  for (double& v : scaled) v *= 1000;
  GpdFit a = FitGpd(y);
  GpdFit b = FitGpd(scaled);
  EXPECT_NEAR(b.gamma, a.gamma, 1e-8);
  EXPECT_NEAR(b.sigma, 1000 * a.sigma, 1e-8 * b.sigma);
}

TEST(GpdFitTest, TooFewExcessesFallBackToExponential) {
  std::vector<double> y = {1, 2, 3};
  GpdFit fit = FitGpd(y);
  EXPECT_EQ(fit.method, GpdMethod::kTooFewExcesses);
  EXPECT_EQ(fit.gamma, 0);
  EXPECT_DOUBLE_EQ(fit.sigma, 2);
  EXPECT_DOUBLE_EQ(fit.log_likelihood, -3 * std::log(2.0) - 3);  // -5.079441541679836
  EXPECT_EQ(FitGpd(std::vector<double>(kMinGpdExcesses - 1, 0.5)).method, GpdMethod::kTooFewExcesses);
  EXPECT_NE(FitGpd(std::vector<double>(kMinGpdExcesses, 0.5)).method, GpdMethod::kTooFewExcesses);
}

TEST(GpdFitTest, EqualExcessesGiveTheExponential) {
  // w(x) = (1 + log(1 + 2x)) / (1 + 2x) - 1 < 0 for every x != 0: only the trivial root.
  std::vector<double> y(25, 2.0);
  GpdFit fit = FitGpd(y);
  EXPECT_EQ(fit.method, GpdMethod::kExponential);
  EXPECT_EQ(fit.gamma, 0);
  EXPECT_DOUBLE_EQ(fit.sigma, 2);
}

TEST(GpdFitTest, HandlesExcessesSpanningManyOrdersOfMagnitude) {
  // A tiny minimum pushes the positive Grimshaw bound to ~1e26; the grid is capped.
  std::vector<double> y = ScipyCases()[0].data;
  y.push_back(1e-12);
  GpdFit fit = FitGpd(y);
  EXPECT_TRUE(std::isfinite(fit.sigma) && fit.sigma > 0);
  EXPECT_TRUE(std::isfinite(fit.gamma));
  EXPECT_NEAR(fit.log_likelihood, GpdLogLikelihood(y, fit.gamma, fit.sigma), 1e-8);
}

TEST(GpdFitTest, ExponentialFitIsTheMeanExcess) {
  std::vector<double> y = {0.5, 1.5, 4};
  GpdFit fit = ExponentialFit(y, GpdMethod::kExponential);
  EXPECT_DOUBLE_EQ(fit.sigma, 2);
  EXPECT_DOUBLE_EQ(fit.log_likelihood, GpdLogLikelihood(y, 0, 2));
}

TEST(GpdFitTest, RefitTracksTheFullSearch) {
  for (const ScipyCase& c : ScipyCases()) {
    SCOPED_TRACE(c.name);
    std::vector<double> y = c.data;
    GpdFit previous = FitGpd(y);
    // One new excess and the oldest dropped, as in SPOT.
    y.erase(y.begin());
    y.push_back(1.7);
    GpdFit tracked = RefitGpd(y, previous, nullptr);
    GpdFit full = FitGpd(y);
    EXPECT_EQ(tracked.method, full.method);
    EXPECT_NEAR(tracked.gamma, full.gamma, 1e-9);
    EXPECT_NEAR(tracked.sigma, full.sigma, 1e-9 * full.sigma);
  }
}

TEST(GpdFitTest, RefitSurvivesANewMaximumBeyondTheOldPole) {
  // bounded_tail has a negative root x with -1/x ~ 5.7; a new excess of 50 moves the
  // pole -1/Y_max to -0.02, past the old root, which must be pulled back in.
  std::vector<double> y = ScipyCases()[2].data;
  GpdFit previous = FitGpd(y);
  ASSERT_LT(previous.root, -1 / 50.0);
  y.push_back(50);
  GpdFit tracked = RefitGpd(y, previous, nullptr);
  GpdFit full = FitGpd(y);
  EXPECT_NEAR(tracked.log_likelihood, full.log_likelihood, 1e-9);
}

TEST(GpdFitTest, RefitFromTooFewRunsAFullSearch) {
  const std::vector<double>& y = ScipyCases()[0].data;
  GpdFit few = FitGpd(std::span<const double>(y).first(5));
  ASSERT_EQ(few.method, GpdMethod::kTooFewExcesses);
  GpdFit refit = RefitGpd(y, few, nullptr);
  EXPECT_EQ(refit.method, GpdMethod::kGrimshawRoot);
  EXPECT_DOUBLE_EQ(refit.gamma, FitGpd(y).gamma);
  EXPECT_EQ(RefitGpd(std::span<const double>(y).first(4), few, nullptr).method, GpdMethod::kTooFewExcesses);
}

TEST(GpdFitTest, RefitAfterExponentialOnlyRefreshesTheExponential) {
  const std::vector<double>& y = ScipyCases()[0].data;
  GpdFit previous = ExponentialFit(y, GpdMethod::kExponential);
  GpdFit refit = RefitGpd(y, previous, nullptr);
  EXPECT_EQ(refit.method, GpdMethod::kExponential);
  EXPECT_DOUBLE_EQ(refit.sigma, previous.sigma);
}

TEST(GpdFitTest, CarriedSumsGiveTheSameRefitWithFewerPasses) {
  const std::vector<double>& data = ScipyCases()[0].data;
  std::vector<double> y = data;
  GrimshawSums sums;
  GpdFit fit = FitGpd(y);
  // First refit: no carried sums yet, RefitGpd makes its own pass and returns its sums.
  y.push_back(0.9);
  fit = RefitGpd(y, fit, &sums);
  ASSERT_EQ(fit.method, GpdMethod::kGrimshawRoot);
  ASSERT_TRUE(sums.valid);
  GrimshawSums recomputed = ComputeGrimshawSums(y, sums.x);
  EXPECT_EQ(sums.sum_log, recomputed.sum_log) << "returned sums must be exactly one pass";
  EXPECT_EQ(sums.sum_frac, recomputed.sum_frac);
  EXPECT_EQ(sums.sum_y_r, recomputed.sum_y_r);
  EXPECT_EQ(sums.sum_y_r2, recomputed.sum_y_r2);
  // Stream: drop the oldest, add a new one, update the sums in O(1) as SPOT does.
  for (double added : {3.1, 0.2, 12.5, 0.7, 1.1}) {
    sums.Remove(y.front());
    y.erase(y.begin());
    y.push_back(added);
    sums.Add(added);
    GpdFit carried = RefitGpd(y, fit, &sums);
    GpdFit fresh = RefitGpd(y, fit, nullptr);
    GpdFit full = FitGpd(y);
    EXPECT_NEAR(carried.gamma, fresh.gamma, 1e-10);
    EXPECT_NEAR(carried.gamma, full.gamma, 1e-9);
    EXPECT_NEAR(carried.sigma, full.sigma, 1e-9 * full.sigma);
    fit = carried;
  }
}

TEST(GpdFitTest, SumsUpdateInConstantTime) {
  const std::vector<double>& y = ScipyCases()[1].data;
  GrimshawSums sums = ComputeGrimshawSums(std::span<const double>(y).first(39), -0.05);
  ASSERT_TRUE(sums.valid);
  sums.Add(y[39]);
  GrimshawSums all = ComputeGrimshawSums(y, -0.05);
  EXPECT_EQ(sums.count, 40);
  EXPECT_NEAR(sums.sum_log, all.sum_log, 1e-12);
  EXPECT_NEAR(sums.sum_frac, all.sum_frac, 1e-12);
  EXPECT_NEAR(sums.sum_y_r, all.sum_y_r, 1e-12);
  EXPECT_NEAR(sums.sum_y_r2, all.sum_y_r2, 1e-12);
  sums.Remove(y[39]);
  EXPECT_EQ(sums.count, 39);
  // x = -0.05 has its pole at Y = 20: a larger excess leaves the domain.
  sums.Add(25);
  EXPECT_FALSE(sums.valid);
  EXPECT_FALSE(ComputeGrimshawSums(std::vector<double>{1, 25}, -0.05).valid);
}

TEST(GpdFitTest, FindsTwoRootsInsideOneGridCell) {
  // Replays sample 119 of a 3000-sample sweep (seed 7) that compared FitGpd with a dense
  // scan of the profile likelihood. Its only two roots sit at 1 + x Y_max ~ 1.5e-4 and
  // 1e-4, inside one cell of the grid, with no sign change of w at the cell's ends.
  TestRng rng(7);
  std::vector<double> y;
  for (int trial = 0; trial <= 119; ++trial) {
    size_t n = 10 + static_cast<size_t>(rng.Uniform() * 300);
    double gamma = -0.9 + 2.9 * rng.Uniform();
    double sigma = std::exp(-5 + 10 * rng.Uniform());
    y.clear();
    for (size_t i = 0; i < n; ++i) y.push_back(rng.Gpd(gamma, sigma));
  }
  ASSERT_EQ(y.size(), 117u);
  GpdFit fit = FitGpd(y);
  EXPECT_EQ(fit.method, GpdMethod::kGrimshawRoot);
  EXPECT_NEAR(fit.gamma, -0.985645, 1e-5);
  EXPECT_NEAR(fit.log_likelihood, -535.261113, 1e-5);  // the exponential has -567.33
}

// Censored maximum likelihood: sum log f(Y_i) + M log P(Y > c), maximized offline with
// scipy 1.10 (Nelder-Mead on (gamma, log sigma), xatol 1e-12, fatol 1e-14, five starts;
// genpareto.logpdf / genpareto.logsf) for the samples above.
TEST(GpdFitTest, CensoredFitMatchesScipy) {
  struct Case {
    size_t sample;
    GpdCensoring censoring;
    double gamma;
    double sigma;
    double log_likelihood;
  };
  const Case cases[] = {
      {0, {3.0, 25.0}, 0.9687682317, 1.5977338641, -89.1468482734},
      {2, {2.5, 6.0}, -0.0908406522, 2.3734958737, -71.5931659669},
      {0, {1.5, 19.5}, 0.6594183953, 1.6815878298, -83.9305026144},
  };
  for (const Case& c : cases) {
    const std::vector<double>& y = ScipyCases()[c.sample].data;
    SCOPED_TRACE(::testing::Message() << ScipyCases()[c.sample].name << " M=" << c.censoring.count);
    GpdFit fit = FitGpd(y, c.censoring);
    EXPECT_EQ(fit.method, GpdMethod::kGrimshawRoot);
    EXPECT_NEAR(fit.gamma, c.gamma, 1e-6);
    EXPECT_NEAR(fit.sigma, c.sigma, 1e-6 * c.sigma);
    EXPECT_NEAR(fit.log_likelihood, c.log_likelihood, 1e-7);
    EXPECT_NEAR(fit.log_likelihood, GpdLogLikelihood(y, fit.gamma, fit.sigma, c.censoring), 1e-9);
    // Tracking with censoring agrees with the full search.
    std::vector<double> more = y;
    more.push_back(0.8);
    GpdFit tracked = RefitGpd(more, fit, nullptr, c.censoring);
    GpdFit full = FitGpd(more, c.censoring);
    EXPECT_NEAR(tracked.gamma, full.gamma, 1e-9);
    EXPECT_NEAR(tracked.log_likelihood, full.log_likelihood, 1e-9);
  }
}

TEST(GpdFitTest, CensoredExponentialCountsTheCensoredPointsAtC) {
  std::vector<double> y = {1, 2, 3};
  GpdFit fit = ExponentialFit(y, GpdMethod::kExponential, {1.5, 4});
  EXPECT_DOUBLE_EQ(fit.sigma, (6 + 1.5 * 4) / 3.0);  // 4
  EXPECT_DOUBLE_EQ(fit.log_likelihood, GpdLogLikelihood(y, 0, 4, {1.5, 4}));
  EXPECT_DOUBLE_EQ(fit.log_likelihood, -3 * std::log(4.0) - 3);
}

TEST(GpdFitTest, SurvivalByHand) {
  EXPECT_DOUBLE_EQ(GpdSurvival(0, 2, 2), std::exp(-1.0));
  EXPECT_DOUBLE_EQ(GpdSurvival(0.5, 1, 2), 0.25);   // (1 + 0.5 * 2)^-2
  EXPECT_DOUBLE_EQ(GpdSurvival(-0.5, 1, 1), 0.25);  // (1 - 0.5)^2
  EXPECT_EQ(GpdSurvival(-0.5, 1, 2), 0);            // end point sigma / |gamma| = 2
  EXPECT_EQ(GpdSurvival(-0.5, 1, 3), 0);
}

TEST(GpdFitTest, LogLikelihoodByHand) {
  std::vector<double> y = {1};
  // log f(1) = -log(1) - (1 + 1/0.5) log(1 + 0.5) = -3 log 1.5
  EXPECT_DOUBLE_EQ(GpdLogLikelihood(y, 0.5, 1), -3 * std::log(1.5));  // -1.2163953243244932
  EXPECT_DOUBLE_EQ(GpdLogLikelihood(y, 0, 2), -std::log(2.0) - 0.5);
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(GpdLogLikelihood(y, -1, 1), kNegInf);  // support ends at sigma/|gamma| = 1
  EXPECT_EQ(GpdLogLikelihood(y, 0.1, 0), kNegInf);
  EXPECT_EQ(GpdLogLikelihood(y, 0.1, -1), kNegInf);
}

TEST(GpdFitDeathTest, RejectsInvalidExcesses) {
  std::vector<double> empty;
  EXPECT_DEATH(FitGpd(empty), "VIGIL_CHECK");
  std::vector<double> zero = {1, 0, 2};
  EXPECT_DEATH(FitGpd(zero), "VIGIL_CHECK");
}

}  // namespace
}  // namespace vigil::threshold
