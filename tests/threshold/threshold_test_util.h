// Deterministic random samples for threshold tests. Built on std::mt19937_64, whose
// output is fixed by the standard; the <random> distributions are not (they differ
// between standard libraries), so the transforms are written out here.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace vigil::threshold::testing {

class TestRng {
 public:
  explicit TestRng(uint64_t seed) : engine_(seed) {}
  // Uniform in (0, 1): 53 random bits, shifted off 0 by half a step.
  double Uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  double Exponential() { return -std::log(Uniform()); }
  // Box-Muller; uses two uniforms per sample (simple and reproducible).
  double Normal() { return std::sqrt(-2 * std::log(Uniform())) * std::cos(2 * M_PI * Uniform()); }
  // Inverse CDF of the GPD: P(Y > y) = (1 + gamma y / sigma)^(-1/gamma).
  double Gpd(double gamma, double sigma) {
    double u = Uniform();
    return gamma == 0 ? -sigma * std::log(u) : sigma / gamma * (std::pow(u, -gamma) - 1);
  }

 private:
  std::mt19937_64 engine_;
};

inline std::vector<double> ExponentialSample(uint64_t seed, size_t n) {
  TestRng rng(seed);
  std::vector<double> v(n);
  for (double& x : v) x = rng.Exponential();
  return v;
}

inline std::vector<double> NormalSample(uint64_t seed, size_t n) {
  TestRng rng(seed);
  std::vector<double> v(n);
  for (double& x : v) x = rng.Normal();
  return v;
}

}  // namespace vigil::threshold::testing
