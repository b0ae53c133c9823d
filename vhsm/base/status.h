// Status and Result<T>: errors as values, used by every VHSM layer.
//
// A Status is a code from one enum plus a message that says what failed and
// with which input. Messages travel to logs and, through the server, to
// clients: never put key material, passwords or master keys in one.
// Result<T> holds either a T or a non-OK Status. Reading the value of a
// failed Result aborts the process (a programming error, not a runtime one),
// so always test ok() first.
#ifndef VHSM_BASE_STATUS_H_
#define VHSM_BASE_STATUS_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace vhsm {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed or out-of-range input
  kNotFound,            // unknown key id, user, container, session
  kAlreadyExists,       // duplicate id or name
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // wrong password, no login
  kResourceExhausted,   // limits reached, locked out
  kFailedPrecondition,  // operation not valid in the current state
  kDataLoss,            // corrupted, tampered with or moved record
  kUnavailable,         // daemon not reachable, transient failure
  kDeadlineExceeded,    // timed out
  kInternal,            // a bug or a library failure
};

// StatusCodeName returns a stable lower-case name such as "not_found".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // ToString returns "code_name: message", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status AlreadyExists(std::string m) {
  return Status(StatusCode::kAlreadyExists, std::move(m));
}
inline Status PermissionDenied(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status Unauthenticated(std::string m) {
  return Status(StatusCode::kUnauthenticated, std::move(m));
}
inline Status ResourceExhausted(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status FailedPrecondition(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status DataLoss(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(StatusCode::kUnavailable, std::move(m)); }
inline Status DeadlineExceeded(std::string m) {
  return Status(StatusCode::kDeadlineExceeded, std::move(m));
}
inline Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

template <typename T>
class [[nodiscard]] Result {
 public:
  // A Result is made from a value or from a non-OK status. Making one from an
  // OK status is a bug and becomes an internal error.
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Internal("Result built from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    if (!ok()) std::abort();
    return *value_;
  }
  const T& value() const& {
    if (!ok()) std::abort();
    return *value_;
  }
  T&& value() && {
    if (!ok()) std::abort();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vhsm

// VHSM_RETURN_IF_ERROR(expr): returns the Status of expr when it is not OK.
#define VHSM_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::vhsm::Status vhsm_status_ = (expr);        \
    if (!vhsm_status_.ok()) return vhsm_status_; \
  } while (0)

#define VHSM_CONCAT_INNER_(a, b) a##b
#define VHSM_CONCAT_(a, b) VHSM_CONCAT_INNER_(a, b)

// VHSM_ASSIGN_OR_RETURN(lhs, expr): evaluates a Result; on error returns its
// Status, else moves the value into lhs (which may be a declaration).
#define VHSM_ASSIGN_OR_RETURN(lhs, expr) \
  VHSM_ASSIGN_OR_RETURN_IMPL_(VHSM_CONCAT_(vhsm_result_, __LINE__), lhs, expr)
#define VHSM_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                \
  if (!result.ok()) return result.status();            \
  lhs = std::move(result).value()

#endif  // VHSM_BASE_STATUS_H_
