#include "libs/kafka/protocol/request_header_io.h"

#include "libs/kafka/messages/api_table.h"

namespace sluice::kafka {

Result<RequestHeader> ReadRequestHeader(Reader& reader) {
  Reader peek = reader;
  auto key = peek.ReadInt16();
  if (!key.ok()) return WithField("RequestHeader.RequestApiKey", key.status());
  auto version = peek.ReadInt16();
  if (!version.ok()) return WithField("RequestHeader.RequestApiVersion", version.status());
  RequestHeader header;
  Status s = header.Decode(reader, RequestHeaderVersion(*key, *version));
  if (!s.ok()) return s;
  return header;
}

void WriteRequestHeader(Writer& writer, const RequestHeader& header) {
  header.Encode(writer, RequestHeaderVersion(header.request_api_key, header.request_api_version));
}

void WriteResponseHeader(Writer& writer, int16_t api_key, int16_t api_version,
                         int32_t correlation_id) {
  ResponseHeader header;
  header.correlation_id = correlation_id;
  header.Encode(writer, ResponseHeaderVersion(api_key, api_version));
}

size_t ResponseHeaderSize(int16_t api_key, int16_t api_version) {
  return ResponseHeader{}.Size(ResponseHeaderVersion(api_key, api_version));
}

}  // namespace sluice::kafka
