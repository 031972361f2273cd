// Connection: one blocking TCP connection to one broker, speaking Kafka's framing with the
// generated messages (libs/kafka/messages/*.h).
//
// Opening a connection negotiates versions with ApiVersions (KIP-511): it asks with the newest
// ApiVersions version this code knows (v3, flexible); a broker that does not know it answers
// UNSUPPORTED_VERSION (35) in v0 format with its list, and the connection asks again with
// min(3, the broker's max for key 18). Every later request then uses, per API, the highest
// version both sides support: min(our max, broker max), refused when that falls below
// max(our min, broker min).
//
// Errors name the broker ("localhost:9092: ...") so a person can tell which one failed. A
// timeout or I/O error breaks the connection (is_broken()): the framing is then unknown, so the
// caller must open a new one (Client does this).
//
// Thread safety: Send/RoundTrip may be called from several threads; each round trip holds an
// internal mutex, so requests on one connection are sent and answered one at a time (Kafka
// answers in order anyway). Other methods are read-only after Open.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "libs/base/status.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/produce.h"
#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::kafka::client {

struct ConnectionOptions {
  std::string client_id = "sluice";
  std::chrono::milliseconds connect_timeout{10'000};
  // Default bound on one round trip (Kafka's request.timeout.ms is 30 s).
  std::chrono::milliseconds request_timeout{30'000};
  // Refuse responses larger than this (a corrupt size field must not allocate gigabytes).
  int32_t max_response_bytes = 256 << 20;
};

struct VersionRange {
  int16_t min = 0;
  int16_t max = 0;
};

// Per-call knobs of Send. Versions outside the message's own range are clamped to it.
struct SendOptions {
  int16_t min_version = 0;      // e.g. 3 for Produce: record batch v2 needs Produce v3+
  int16_t max_version = 32767;  // cap below what the schemas know
  // Overrides ConnectionOptions::request_timeout (Fetch: max wait plus a margin).
  std::optional<std::chrono::milliseconds> timeout{};
};

class Connection {
 public:
  // Connects to host:port within options.connect_timeout and negotiates versions. `label` is how
  // errors name the broker (defaults to "host:port").
  static Result<std::unique_ptr<Connection>> Open(const std::string& host, int32_t port,
                                                  const ConnectionOptions& options,
                                                  std::string label = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // How errors name this broker.
  const std::string& label() const { return label_; }
  // The broker's advertised range for an API key, or nullopt when it lacks the key.
  std::optional<VersionRange> BrokerVersions(int16_t api_key) const;
  // The version Send would use for `api_key` within [our_min, our_max], or a Status naming the
  // broker and both ranges when there is none.
  Result<int16_t> ChooseVersion(int16_t api_key, std::string_view api_name, int16_t our_min,
                                int16_t our_max) const;
  // True after a timeout or I/O error: the connection must not be used again.
  bool is_broken() const;
  // Breaks the connection from another thread: a round trip blocked in it fails at once (its
  // socket is shut down; the descriptor stays open until destruction). Lets a stopping owner
  // join the thread that uses the connection without waiting out the request timeout.
  void Interrupt();

  // Sends `request` at the negotiated version and decodes the answer as `Resp` (same api key).
  // A Produce with acks=0 gets no answer from Kafka: Send returns a default ProduceResponse.
  template <typename Resp, typename Req>
  Result<Resp> Send(const Req& request, const SendOptions& options = {});

  // Low level: one framed round trip. `body` is the encoded request body; the returned bytes
  // are the response body (after the response header, whose correlation id is checked).
  // With expect_response=false nothing is read and an empty vector is returned.
  Result<std::vector<uint8_t>> RoundTrip(int16_t api_key, int16_t api_version,
                                         std::span<const uint8_t> body,
                                         std::chrono::milliseconds timeout, bool expect_response);

 private:
  Connection(int fd, std::string label, ConnectionOptions options);
  Status NegotiateVersions();
  Status WriteAll(std::span<const uint8_t> bytes, std::chrono::steady_clock::time_point deadline);
  Status ReadExactly(std::span<uint8_t> bytes, std::chrono::steady_clock::time_point deadline);
  Status Broken(Status status);

  int fd_;
  const std::string label_;
  const ConnectionOptions options_;
  std::map<int16_t, VersionRange> broker_versions_;  // written once in Open
  std::mutex mutex_;                                 // one round trip at a time
  int32_t next_correlation_id_ = 0;                  // guarded by mutex_
  std::atomic<bool> broken_{false};                  // only ever goes false -> true
};

// ---- implementation of the template ----

template <typename Resp, typename Req>
Result<Resp> Connection::Send(const Req& request, const SendOptions& options) {
  static_assert(Req::kApiKey == Resp::kApiKey, "Send<Resp>(req): Resp must answer Req");
  const int16_t lo = std::max<int16_t>(Req::kMinVersion, options.min_version);
  const int16_t hi = std::min<int16_t>(Req::kMaxVersion, options.max_version);
  Result<int16_t> version = ChooseVersion(Req::kApiKey, Req::kName, lo, hi);
  if (!version.ok()) return version.status();

  std::vector<uint8_t> body;
  body.reserve(request.Size(*version));
  Writer writer(body);
  request.Encode(writer, *version);

  bool expect_response = true;
  if constexpr (std::is_same_v<Req, ProduceRequest>) expect_response = request.acks != 0;
  Result<std::vector<uint8_t>> answer =
      RoundTrip(Req::kApiKey, *version, body, options.timeout.value_or(options_.request_timeout),
                expect_response);
  if (!answer.ok()) return answer.status();
  Resp response;
  if (!expect_response) return response;
  Reader reader(*answer);
  Status decoded = response.Decode(reader, *version);
  if (!decoded.ok()) {
    return Status::Corruption(label_ + ": cannot decode " + std::string(Resp::kName) + " v" +
                              std::to_string(*version) + ": " + decoded.message());
  }
  return response;
}

}  // namespace sluice::kafka::client
