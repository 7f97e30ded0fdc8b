// vigil/status.h — errors as values.
//
//   vigil::Result<Model> m = vigil::LoadModel("line1.vgm");
//   if (!m.ok()) { std::cerr << m.status().ToString() << "\n"; return 2; }
//   m->Score(...);
//
// A Status is cheap when OK (one null pointer). Messages name the bad value and where it
// was (file:line:col, field, byte offset). Programmer errors use VIGIL_CHECK, which aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigil {

// Serialized nowhere, but kept stable: tools map codes to exit statuses.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // the caller passed something wrong (flags, parameters)
  kDataError = 2,        // input data is malformed (CSV cell, ragged row, Inf)
  kCorruption = 3,       // a model file is truncated or damaged
  kIOError = 4,          // the OS refused (open, read, write, mmap)
  kNotFound = 5,         // a named thing does not exist (file, column, detector)
  kUnimplemented = 6,    // a valid request this build cannot serve
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status DataError(std::string msg) { return Status(StatusCode::kDataError, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(StatusCode::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status Unimplemented(std::string msg) { return Status(StatusCode::kUnimplemented, std::move(msg)); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // "<code name>: <message>", or "OK".
  std::string ToString() const;
  // The same error with `prefix` before its message (say where it happened); OK stays OK.
  Status WithPrefix(std::string_view prefix) const {
    return ok() ? Status() : Status(rep_->code, std::string(prefix) + rep_->message);
  }

  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  Status(StatusCode code, std::string msg) : rep_(std::make_unique<Rep>(Rep{code, std::move(msg)})) {}
  std::unique_ptr<Rep> rep_;
};

// A value or an error. Access to value() on an error aborts (programmer bug).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) std::abort();   // an OK status carries no value
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & {
    Check();
    return std::get<T>(v_);
  }
  const T& value() const& {
    Check();
    return std::get<T>(v_);
  }
  T&& value() && {
    Check();
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  void Check() const {
    if (!ok()) {
      std::fprintf(stderr, "vigil: Result::value() on error: %s\n", std::get<Status>(v_).ToString().c_str());
      std::abort();
    }
  }
  std::variant<T, Status> v_;
};

}  // namespace vigil

// Aborts with file:line when a programmer invariant is broken. Never for user input.
#define VIGIL_CHECK(cond)                                                                 \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: VIGIL_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

// Propagates a non-OK Status from an expression returning Status.
#define VIGIL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::vigil::Status vigil_status_ = (expr);        \
    if (!vigil_status_.ok()) return vigil_status_; \
  } while (0)

#define VIGIL_CONCAT_INNER_(a, b) a##b
#define VIGIL_CONCAT_(a, b) VIGIL_CONCAT_INNER_(a, b)
// Assigns the value of a Result<T> expression to lhs or returns its Status.
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr)                                                                   \
  auto VIGIL_CONCAT_(vigil_result_, __LINE__) = (expr);                                                     \
  if (!VIGIL_CONCAT_(vigil_result_, __LINE__).ok()) return VIGIL_CONCAT_(vigil_result_, __LINE__).status(); \
  lhs = std::move(VIGIL_CONCAT_(vigil_result_, __LINE__)).value()
