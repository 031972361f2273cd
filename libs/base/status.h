// Status and Result: errors as values at subsystem boundaries.
//
// A subsystem (storage, metadata, config) reports failure as a Status with a category and a
// message a person can act on. Kafka error codes exist only at the protocol edge
// (broker/server), which maps Status categories to them.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace sluice {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // the thing asked for does not exist
    kAlreadyExists,    // creating something that is already there
    kInvalidArgument,  // the caller's input is malformed or out of range
    kCorruption,       // stored or received bytes fail validation (CRC, framing)
    kIoError,          // the operating system refused (disk full, permissions)
    kOutOfRange,       // an offset or index outside what exists
    kUnavailable,      // a dependency (ZooKeeper, a peer) cannot be reached now; retry later
    kConflict,         // a conditional write lost a race (znode version, epoch)
    kTimeout,
    kInternal,         // a bug: an invariant did not hold
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status OutOfRange(std::string m) { return Status(Code::kOutOfRange, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Timeout(std::string m) { return Status(Code::kTimeout, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
// (Not std::variant: g++ 12 reports false maybe-uninitialized warnings through it.)
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result constructed from an OK Status has no value");
  }
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace sluice

// Returns early from the enclosing function if `expr` (a Status) is not OK.
#define SLUICE_RETURN_IF_ERROR(expr)        \
  do {                                      \
    ::sluice::Status _st = (expr);          \
    if (!_st.ok()) return _st;              \
  } while (0)
