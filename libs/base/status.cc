#include "libs/base/status.h"

namespace sluice {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kNotFound: name = "NotFound"; break;
    case Code::kAlreadyExists: name = "AlreadyExists"; break;
    case Code::kInvalidArgument: name = "InvalidArgument"; break;
    case Code::kCorruption: name = "Corruption"; break;
    case Code::kIoError: name = "IoError"; break;
    case Code::kOutOfRange: name = "OutOfRange"; break;
    case Code::kUnavailable: name = "Unavailable"; break;
    case Code::kConflict: name = "Conflict"; break;
    case Code::kTimeout: name = "Timeout"; break;
    case Code::kInternal: name = "Internal"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace sluice
