#include "libs/kafka/client/connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "libs/kafka/client/errors.h"
#include "libs/kafka/messages/api_table.h"
#include "libs/kafka/messages/request_header.h"
#include "libs/kafka/messages/response_header.h"
#include "libs/kafka/protocol/request_header_io.h"

namespace sluice::kafka::client {
namespace {

using Clock = std::chrono::steady_clock;

// What this client calls itself in ApiVersions v3 (KIP-511; shown in broker metrics).
constexpr char kSoftwareName[] = "sluice-kafka-client";
constexpr char kSoftwareVersion[] = "0.1";

int MillisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1'000'000'000));
}

// Waits for `events` on fd until the deadline: OK, Timeout, or IoError.
Status WaitFor(int fd, short events, Clock::time_point deadline, const std::string& label,
               const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, MillisLeft(deadline));
    if (n > 0) return Status::Ok();
    if (n == 0) return Status::Timeout(label + ": timed out " + what);
    if (errno != EINTR) return Status::IoError(label + ": poll: " + std::strerror(errno));
  }
}

// Opens a non-blocking TCP socket connected to one of host's addresses.
Result<int> ConnectTcp(const std::string& host, int32_t port, Clock::time_point deadline,
                       const std::string& label) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses);
  if (rc != 0) {
    return Status::Unavailable(label + ": cannot resolve host '" + host +
                               "': " + ::gai_strerror(rc));
  }
  Status last = Status::Unavailable(label + ": no address for host '" + host + "'");
  for (addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = Status::IoError(label + ": socket: " + std::strerror(errno));
      continue;
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = Status::Unavailable(label + ": cannot connect: " + std::strerror(errno));
      ::close(fd);
      continue;
    }
    Status waited = WaitFor(fd, POLLOUT, deadline, label, "connecting");
    int error = 0;
    socklen_t len = sizeof(error);
    if (waited.ok() && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ::freeaddrinfo(addresses);
      return fd;
    }
    last = waited.ok() ? Status::Unavailable(label + ": cannot connect: " + std::strerror(error))
                       : Status::Unavailable(waited.message());
    ::close(fd);
  }
  ::freeaddrinfo(addresses);
  return last;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& host, int32_t port,
                                                     const ConnectionOptions& options,
                                                     std::string label) {
  if (label.empty()) label = host + ":" + std::to_string(port);
  Result<int> fd = ConnectTcp(host, port, Clock::now() + options.connect_timeout, label);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<Connection> connection(new Connection(*fd, std::move(label), options));
  SLUICE_RETURN_IF_ERROR(connection->NegotiateVersions());
  return connection;
}

Connection::Connection(int fd, std::string label, ConnectionOptions options)
    : fd_(fd), label_(std::move(label)), options_(std::move(options)) {}

Connection::~Connection() { ::close(fd_); }

bool Connection::is_broken() const { return broken_.load(); }

void Connection::Interrupt() {
  broken_ = true;
  ::shutdown(fd_, SHUT_RDWR);
}

std::optional<VersionRange> Connection::BrokerVersions(int16_t api_key) const {
  auto it = broker_versions_.find(api_key);
  if (it == broker_versions_.end()) return std::nullopt;
  return it->second;
}

Result<int16_t> Connection::ChooseVersion(int16_t api_key, std::string_view api_name,
                                          int16_t our_min, int16_t our_max) const {
  std::optional<VersionRange> broker = BrokerVersions(api_key);
  if (!broker.has_value()) {
    return Status::Unavailable(label_ + ": the broker does not support " + std::string(api_name) +
                               " (api key " + std::to_string(api_key) + ")");
  }
  const int16_t version = std::min(our_max, broker->max);
  if (version < our_min || version < broker->min) {
    return Status::Unavailable(label_ + ": no common version of " + std::string(api_name) +
                               ": this client speaks " + std::to_string(our_min) + "-" +
                               std::to_string(our_max) + ", the broker " +
                               std::to_string(broker->min) + "-" + std::to_string(broker->max));
  }
  return version;
}

Status Connection::NegotiateVersions() {
  int16_t version = ApiVersionsRequest::kMaxVersion;
  // At most two rounds: our newest version, then the broker's newest (KIP-511).
  for (int round = 0; round < 2; ++round) {
    ApiVersionsRequest request;
    request.client_software_name = kSoftwareName;
    request.client_software_version = kSoftwareVersion;
    std::vector<uint8_t> body;
    Writer writer(body);
    request.Encode(writer, version);
    Result<std::vector<uint8_t>> answer =
        RoundTrip(ApiVersionsRequest::kApiKey, version, body, options_.request_timeout, true);
    if (!answer.ok()) return answer.status();

    // Every version starts with the error code; on UNSUPPORTED_VERSION the rest is v0 format.
    Reader peek(*answer);
    Result<int16_t> error = peek.ReadInt16();
    if (!error.ok()) return Status::Corruption(label_ + ": empty ApiVersions response");
    const int16_t decode_version =
        *error == Code(ErrorCode::kUnsupportedVersion) ? int16_t{0} : version;
    ApiVersionsResponse response;
    Reader reader(*answer);
    Status decoded = response.Decode(reader, decode_version);
    if (!decoded.ok()) {
      return Status::Corruption(label_ + ": cannot decode ApiVersionsResponse v" +
                                std::to_string(decode_version) + ": " + decoded.message());
    }
    broker_versions_.clear();
    for (const auto& api : response.api_keys) {
      broker_versions_[api.api_key] = VersionRange{api.min_version, api.max_version};
    }
    if (response.error_code == 0) return Status::Ok();
    if (response.error_code != Code(ErrorCode::kUnsupportedVersion) || round == 1) {
      return KafkaErrorStatus(response.error_code,
                              label_ + ": ApiVersions v" + std::to_string(version));
    }
    auto ours = BrokerVersions(ApiVersionsRequest::kApiKey);
    int16_t next = ours.has_value() ? std::min<int16_t>(version - 1, ours->max) : int16_t{0};
    version = std::max<int16_t>(next, 0);
  }
  return Status::Internal(label_ + ": ApiVersions negotiation did not finish");
}

Status Connection::Broken(Status status) {
  broken_ = true;
  return status;
}

Status Connection::WriteAll(std::span<const uint8_t> bytes, Clock::time_point deadline) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      SLUICE_RETURN_IF_ERROR(WaitFor(fd_, POLLOUT, deadline, label_, "sending a request"));
      continue;
    }
    return Status::IoError(label_ + ": send failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status Connection::ReadExactly(std::span<uint8_t> bytes, Clock::time_point deadline) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::recv(fd_, bytes.data() + done, bytes.size() - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) return Status::IoError(label_ + ": the broker closed the connection");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      SLUICE_RETURN_IF_ERROR(WaitFor(fd_, POLLIN, deadline, label_, "waiting for a response"));
      continue;
    }
    return Status::IoError(label_ + ": receive failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> Connection::RoundTrip(int16_t api_key, int16_t api_version,
                                                   std::span<const uint8_t> body,
                                                   std::chrono::milliseconds timeout,
                                                   bool expect_response) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (broken_) return Status::IoError(label_ + ": connection already failed");
  const Clock::time_point deadline = Clock::now() + timeout;

  RequestHeader header;
  header.request_api_key = api_key;
  header.request_api_version = api_version;
  header.correlation_id = next_correlation_id_++;
  header.client_id = options_.client_id;
  std::vector<uint8_t> frame(4);  // size prefix, filled below
  Writer writer(frame);
  WriteRequestHeader(writer, header);
  writer.WriteRaw(body);
  const uint32_t size = static_cast<uint32_t>(frame.size() - 4);
  for (int i = 0; i < 4; ++i) frame[i] = static_cast<uint8_t>(size >> (24 - 8 * i));
  Status sent = WriteAll(frame, deadline);
  if (!sent.ok()) return Broken(sent);
  if (!expect_response) return std::vector<uint8_t>();

  uint8_t size_bytes[4];
  Status got = ReadExactly(size_bytes, deadline);
  if (!got.ok()) return Broken(got);
  const int32_t response_size =
      static_cast<int32_t>((uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                           (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]});
  if (response_size < 4 || response_size > options_.max_response_bytes) {
    return Broken(
        Status::Corruption(label_ + ": invalid response size " + std::to_string(response_size)));
  }
  std::vector<uint8_t> response(static_cast<size_t>(response_size));
  got = ReadExactly(response, deadline);
  if (!got.ok()) return Broken(got);

  Reader reader(response);
  ResponseHeader response_header;
  Status decoded = response_header.Decode(reader, ResponseHeaderVersion(api_key, api_version));
  if (!decoded.ok()) {
    return Broken(Status::Corruption(label_ + ": bad response header: " + decoded.message()));
  }
  if (response_header.correlation_id != header.correlation_id) {
    return Broken(Status::Corruption(
        label_ + ": response correlation id " + std::to_string(response_header.correlation_id) +
        " does not match request " + std::to_string(header.correlation_id)));
  }
  response.erase(response.begin(), response.begin() + static_cast<long>(reader.position()));
  return response;
}

}  // namespace sluice::kafka::client
