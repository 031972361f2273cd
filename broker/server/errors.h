// The protocol edge: maps subsystem Status values to Kafka error codes.
#pragma once

#include "libs/base/status.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

// For Log::Append failures (broker/storage/append_validation.h documents the codes).
kafka::ErrorCode AppendErrorCode(const Status& status);
// For Log::Read / ListOffsets / DeleteRecords failures.
kafka::ErrorCode ReadErrorCode(const Status& status);
// For topic administration (create, delete, partitions, configs).
kafka::ErrorCode AdminErrorCode(const Status& status);

}  // namespace sluice::server
