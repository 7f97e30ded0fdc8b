#include "energy/powermetrics_parser.h"

#include <cmath>
#include <cstdlib>

namespace vigil::energy {
namespace {

constexpr double kAbsent = NAN;

std::string Where(const std::string& file, size_t line, size_t column) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// "1234 mW" → 1234; false when it is not a number followed by "mW".
bool ParseMilliwatts(std::string_view v, double* out) {
  const std::string s(v);
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(x) || x < 0) return false;
  std::string_view rest(end);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.remove_suffix(1);
  if (rest != "mW") return false;
  *out = x;
  return true;
}

}  // namespace

double PowerSample::Joules() const {
  double mw = combined_mw;
  if (std::isnan(mw)) {
    mw = 0;
    for (double part : {cpu_mw, gpu_mw, ane_mw}) {
      if (!std::isnan(part)) mw += part;
    }
  }
  return mw * 1e-3 * elapsed_ms * 1e-3;
}

Result<std::vector<PowerSample>> ParsePowermetrics(std::string_view text, const std::string& file) {
  std::vector<PowerSample> samples;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.rfind("*** Sampled system activity", 0) == 0) {
      PowerSample s;
      s.cpu_mw = s.gpu_mw = s.ane_mw = s.combined_mw = kAbsent;
      const size_t ms = line.find("ms elapsed)");
      const size_t open = ms == std::string_view::npos ? ms : line.rfind('(', ms);
      if (open == std::string_view::npos) {
        return Status::DataError(Where(file, line_no, 1) + ": sample header without \"(<n>ms elapsed)\"");
      }
      const std::string number(line.substr(open + 1, ms - open - 1));
      char* end = nullptr;
      s.elapsed_ms = std::strtod(number.c_str(), &end);
      if (end == number.c_str() || *end != '\0' || !(s.elapsed_ms > 0)) {
        return Status::DataError(Where(file, line_no, open + 2) + ": elapsed time '" + number + "' is not a positive number");
      }
      samples.push_back(s);
      continue;
    }
    static const struct {
      const char* prefix;
      double PowerSample::*field;
    } kLines[] = {{"CPU Power:", &PowerSample::cpu_mw},
                  {"GPU Power:", &PowerSample::gpu_mw},
                  {"ANE Power:", &PowerSample::ane_mw},
                  {"Combined Power (CPU + GPU + ANE):", &PowerSample::combined_mw}};
    for (const auto& k : kLines) {
      const std::string_view prefix(k.prefix);
      if (line.rfind(prefix, 0) != 0) continue;
      if (samples.empty()) {
        return Status::DataError(Where(file, line_no, 1) + ": '" + std::string(prefix) +
                                 "' before any \"*** Sampled system activity\" header");
      }
      size_t col = prefix.size();
      while (col < line.size() && line[col] == ' ') ++col;
      double mw = 0;
      if (!ParseMilliwatts(line.substr(col), &mw)) {
        return Status::DataError(Where(file, line_no, col + 1) + ": '" + std::string(line.substr(col)) +
                                 "' is not a power in mW");
      }
      samples.back().*(k.field) = mw;
    }
  }
  if (samples.empty()) return Status::DataError(file + ": no \"*** Sampled system activity\" sample in the text");
  return samples;
}

}  // namespace vigil::energy
