// The one list of APIs this broker serves: each handler registers its key, name and version
// range here, and the ApiVersions answer is derived from this registry (never kept by hand in a
// second list).
//
// A handler is written against the generated message types: it receives the decoded request
// and answers exactly once with a response of the matching type, from any thread. The registry
// does the decoding and encoding for the version the client sent.
//
// Thread safety: any method from any thread. Almost everything registers before the broker
// serves; the controller's APIs (ControlledShutdown, ElectLeaders, ...) are added once the
// controller role exists, which needs the listeners' bound ports, so lookups and additions
// share a lock. Entries never move or go away once added (node-based map), so the pointers
// Find and All return stay valid.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "broker/server/request_context.h"
#include "libs/base/status.h"
#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::server {

// The encoded response body (no header), or nothing for a request that gets no response
// (Produce with acks=0).
struct EncodedResponse {
  bool send = true;
  std::vector<uint8_t> body;
  std::string close_reason;  // non-empty: send nothing and close the connection
};

// What a handler that may stay silent answers (Produce with acks=0).
template <typename Resp>
struct MaybeSilentReply {
  std::optional<Resp> response;  // nullopt: no response
  std::string close_reason;      // non-empty: close the connection instead (acks=0 errors)
};

class ApiRegistry {
 public:
  using Invoke = std::function<void(const RequestContext&, kafka::Reader&,
                                    std::function<void(Result<EncodedResponse>)>)>;
  struct Entry {
    int16_t key;
    std::string name;
    int16_t min_version;
    int16_t max_version;
    Invoke invoke;
  };

  // Registers a handler for Req/Resp (generated types) over the message's whole version range.
  // `handler(ctx, request, respond)`; `respond(response)` encodes at ctx.api_version.
  template <typename Req, typename Resp>
  void Register(std::string name,
                std::function<void(const RequestContext&, Req, std::function<void(Resp)>)> handler,
                int16_t min_version = Req::kMinVersion, int16_t max_version = Req::kMaxVersion) {
    RegisterMaybeSilent<Req, Resp>(
        std::move(name),
        [handler = std::move(handler)](const RequestContext& ctx, Req request,
                                       std::function<void(MaybeSilentReply<Resp>)> reply) {
          handler(ctx, std::move(request), [reply = std::move(reply)](Resp response) {
            reply({std::move(response), ""});
          });
        },
        min_version, max_version);
  }

  // For handlers that may answer nothing (Produce acks=0): a reply without a response sends
  // nothing; one with a close reason closes the connection.
  template <typename Req, typename Resp>
  void RegisterMaybeSilent(
      std::string name,
      std::function<void(const RequestContext&, Req, std::function<void(MaybeSilentReply<Resp>)>)>
          handler,
      int16_t min_version = Req::kMinVersion, int16_t max_version = Req::kMaxVersion) {
    Entry entry{Req::kApiKey, std::move(name), min_version, max_version, nullptr};
    entry.invoke = [handler = std::move(handler)](
                       const RequestContext& ctx, kafka::Reader& reader,
                       std::function<void(Result<EncodedResponse>)> done) {
      Req request;
      Status st = request.Decode(reader, ctx.api_version);
      if (!st.ok()) return done(st);
      const int16_t version = ctx.api_version;
      handler(ctx, std::move(request),
              [done = std::move(done), version](MaybeSilentReply<Resp> reply) {
                EncodedResponse out;
                if (!reply.response) {
                  out.send = false;
                  out.close_reason = std::move(reply.close_reason);
                  return done(std::move(out));
                }
                out.body.reserve(reply.response->Size(version));
                kafka::Writer writer(out.body);
                reply.response->Encode(writer, version);
                done(std::move(out));
              });
    };
    Add(std::move(entry));
  }

  const Entry* Find(int16_t key) const {
    std::shared_lock lock(mu_);
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  // Every registered API in key order.
  std::vector<const Entry*> All() const {
    std::shared_lock lock(mu_);
    std::vector<const Entry*> out;
    for (const auto& [key, entry] : entries_) out.push_back(&entry);
    return out;
  }

 private:
  void Add(Entry entry);
  mutable std::shared_mutex mu_;
  std::map<int16_t, Entry> entries_;  // GUARDED_BY(mu_)
};

}  // namespace sluice::server
