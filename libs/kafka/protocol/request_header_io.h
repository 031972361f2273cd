// Request and response headers, with their versions chosen from the api key and version.
//
// A request starts with RequestApiKey and RequestApiVersion in every header version, so the
// header version can be chosen before the header is decoded (api_table.h). Responses carry no
// key, so the writer needs the request's key and version.
#pragma once

#include <cstdint>

#include "libs/base/status.h"
#include "libs/kafka/messages/request_header.h"
#include "libs/kafka/messages/response_header.h"
#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::kafka {

// Decodes the request header at the reader's position; on success the reader is at the body.
// An api key the schemas do not describe still decodes (as header v1) so that the caller can
// log the correlation id before closing the connection, as Kafka does; check FindApi(key).
Result<RequestHeader> ReadRequestHeader(Reader& reader);

// Appends the request header for header.request_api_key/version (used by clients and tests).
void WriteRequestHeader(Writer& writer, const RequestHeader& header);

// Appends the response header that answers `api_key` at `api_version`.
void WriteResponseHeader(Writer& writer, int16_t api_key, int16_t api_version,
                         int32_t correlation_id);

// Bytes WriteResponseHeader appends.
size_t ResponseHeaderSize(int16_t api_key, int16_t api_version);

}  // namespace sluice::kafka
