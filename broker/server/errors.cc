#include "broker/server/errors.h"

namespace sluice::server {

using kafka::ErrorCode;
using Code = Status::Code;

kafka::ErrorCode AppendErrorCode(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return ErrorCode::kNone;
    case Code::kOutOfRange:
      // append_validation.h: a batch over max.message.bytes, or the append over segment.bytes.
      return status.message().find("segment.bytes") != std::string::npos
                 ? ErrorCode::kRecordListTooLarge
                 : ErrorCode::kMessageTooLarge;
    case Code::kCorruption: return ErrorCode::kCorruptMessage;
    case Code::kInvalidArgument: return ErrorCode::kInvalidRecord;
    case Code::kIoError: return ErrorCode::kKafkaStorageError;
    case Code::kUnavailable: return ErrorCode::kNotLeaderOrFollower;
    case Code::kNotFound: return ErrorCode::kUnknownTopicOrPartition;
    default: return ErrorCode::kUnknownServerError;
  }
}

kafka::ErrorCode ReadErrorCode(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return ErrorCode::kNone;
    case Code::kOutOfRange: return ErrorCode::kOffsetOutOfRange;
    case Code::kIoError: return ErrorCode::kKafkaStorageError;
    case Code::kUnavailable: return ErrorCode::kNotLeaderOrFollower;
    case Code::kNotFound: return ErrorCode::kUnknownTopicOrPartition;
    case Code::kCorruption: return ErrorCode::kCorruptMessage;
    default: return ErrorCode::kUnknownServerError;
  }
}

kafka::ErrorCode AdminErrorCode(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return ErrorCode::kNone;
    case Code::kAlreadyExists: return ErrorCode::kTopicAlreadyExists;
    case Code::kNotFound: return ErrorCode::kUnknownTopicOrPartition;
    case Code::kInvalidArgument: return ErrorCode::kInvalidRequest;
    case Code::kUnavailable: return ErrorCode::kRequestTimedOut;
    case Code::kTimeout: return ErrorCode::kRequestTimedOut;
    case Code::kConflict: return ErrorCode::kRequestTimedOut;
    default: return ErrorCode::kUnknownServerError;
  }
}

}  // namespace sluice::server
