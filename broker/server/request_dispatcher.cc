#include "broker/server/request_dispatcher.h"

#include <Poco/Logger.h>

#include "broker/server/handlers/api_versions.h"
#include "libs/kafka/messages/api_table.h"
#include "libs/kafka/messages/request_header.h"

namespace sluice::server {

namespace {

int16_t BigEndian16(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<int16_t>((uint16_t(b[at]) << 8) | uint16_t(b[at + 1]));
}
int32_t BigEndian32(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<int32_t>((uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) |
                              (uint32_t(b[at + 2]) << 8) | uint32_t(b[at + 3]));
}

}  // namespace

std::vector<uint8_t> BuildResponseFrame(int32_t correlation_id, int16_t header_version,
                                        const std::vector<uint8_t>& body) {
  const size_t header_size = header_version >= 1 ? 5 : 4;  // v1 adds an empty tagged-field block
  const size_t size = header_size + body.size();
  std::vector<uint8_t> frame;
  frame.reserve(4 + size);
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(uint8_t(size >> shift));
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(uint8_t(uint32_t(correlation_id) >> shift));
  if (header_version >= 1) frame.push_back(0);
  frame.insert(frame.end(), body.begin(), body.end());
  return frame;
}

void RequestDispatcher::HandleFrame(const net::ConnectionInfo& connection,
                                    std::vector<uint8_t> frame,
                                    std::function<void(net::Reply)> done) {
  if (frame.size() < 8) {
    return done(net::Reply::Close("request of " + std::to_string(frame.size()) +
                                  " bytes is shorter than a request header"));
  }
  const int16_t api_key = BigEndian16(frame, 0);
  const int16_t api_version = BigEndian16(frame, 2);
  const int32_t correlation_id = BigEndian32(frame, 4);
  const ApiRegistry::Entry* entry = registry_.Find(api_key);
  if (entry == nullptr) {
    return done(net::Reply::Close("unknown API key " + std::to_string(api_key)));
  }
  if (api_version < entry->min_version || api_version > entry->max_version) {
    if (api_key == kafka::ApiVersionsRequest::kApiKey) {
      // KIP-511: do not parse the body; answer in v0 format with the full list.
      kafka::ApiVersionsResponse response = BuildApiVersionsResponse(registry_);
      response.error_code = 35;  // UNSUPPORTED_VERSION
      std::vector<uint8_t> body;
      kafka::Writer writer(body);
      response.Encode(writer, 0);
      return done(net::Reply::Respond(BuildResponseFrame(correlation_id, 0, body)));
    }
    return done(net::Reply::Close(entry->name + " version " + std::to_string(api_version) +
                                  " is not supported (" + std::to_string(entry->min_version) +
                                  "-" + std::to_string(entry->max_version) + ")"));
  }

  kafka::Reader reader(frame);
  kafka::RequestHeader header;
  Status st = header.Decode(reader, kafka::RequestHeaderVersion(api_key, api_version));
  if (!st.ok()) return done(net::Reply::Close("malformed request header: " + st.ToString()));

  RequestContext ctx;
  ctx.connection = connection;
  ctx.api_key = api_key;
  ctx.api_version = api_version;
  ctx.correlation_id = correlation_id;
  ctx.client_id = header.client_id;
  ctx.received_at = std::chrono::steady_clock::now();

  // The body is read from what remains of the frame; `frame` is kept alive by the reader's
  // owner below until the handler has decoded it (decoding is synchronous in invoke).
  kafka::Reader body_reader(reader.rest());
  const std::string& name = entry->name;
  entry->invoke(ctx, body_reader,
                [this, ctx, name, done = std::move(done)](Result<EncodedResponse> result) {
                  if (observer_) observer_(ctx, name, result.ok());
                  if (!result.ok()) {
                    return done(net::Reply::Close("malformed " + name + " v" +
                                                  std::to_string(ctx.api_version) +
                                                  " request: " + result.status().ToString()));
                  }
                  if (!result->close_reason.empty()) {
                    return done(net::Reply::Close(result->close_reason));
                  }
                  if (!result->send) return done(net::Reply::NoResponse());
                  const int16_t header_version =
                      kafka::ResponseHeaderVersion(ctx.api_key, ctx.api_version);
                  done(net::Reply::Respond(
                      BuildResponseFrame(ctx.correlation_id, header_version, result->body)));
                });
}

}  // namespace sluice::server
