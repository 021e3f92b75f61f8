// Status and Result: the one error type at every module boundary (no exceptions cross them).
// A message names the file or function and the wrong value; the front ends print it on one line
// and map the code to the documented exit status.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include <functional>

#include <fmt/format.h>

namespace adderq {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a caller's option or argument is wrong (exit 1)
  kBadInput,         // a file is missing, truncated, corrupt or of the wrong shape (exit 2)
  kUnsupported,      // a well-formed input that this version cannot handle (exit 2)
  kRuntime,          // a failure while running (I/O on output, device) (exit 3)
  kCancelled,        // the caller's cancellation hook asked to stop (exit 130, as for SIGINT)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context ("reading model.adq: ") to the message; keeps the code.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename... Args>
Status BadInput(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kBadInput, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status InvalidArgument(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kInvalidArgument, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status Unsupported(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kUnsupported, fmt::format(f, std::forward<Args>(args)...));
}
inline Status Cancelled(const std::string& what) { return Status(StatusCode::kCancelled, what + ": cancelled"); }

// Long work (compiling, evaluating) asks this between its steps (batches, layers, phases) and stops
// with Cancelled when it returns true. It is called on the working thread; an embedding
// application or binding decides what it means (the Python package: a pending signal, or an
// exception from a progress callback).
using CancelCheck = std::function<bool()>;
inline bool IsCancelled(const CancelCheck& check) { return check && check(); }

template <typename... Args>
Status RuntimeError(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kRuntime, fmt::format(f, std::forward<Args>(args)...));
}

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {    // NOLINT
    assert(!std::get<Status>(v_).ok());
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

// Process exit status for a Status (documented in the README).
inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument: return 1;
    case StatusCode::kBadInput:
    case StatusCode::kUnsupported: return 2;
    case StatusCode::kRuntime: return 3;
    case StatusCode::kCancelled: return 130;
  }
  return 3;
}

}  // namespace adderq

#define ADQ_CONCAT_INNER(a, b) a##b
#define ADQ_CONCAT(a, b) ADQ_CONCAT_INNER(a, b)

#define ADQ_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::adderq::Status adq_status_ = (expr);         \
    if (!adq_status_.ok()) return adq_status_;     \
  } while (0)

#define ADQ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define ADQ_ASSIGN_OR_RETURN(lhs, expr) \
  ADQ_ASSIGN_OR_RETURN_IMPL(ADQ_CONCAT(adq_result_, __LINE__), lhs, expr)
