#include "broker/server/handlers/init_producer_id.h"

#include <Poco/Logger.h>

#include <string>

#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::InitProducerIdRequest;
using Response = kafka::InitProducerIdResponse;

namespace {

// RecordBatch.NO_PRODUCER_ID / NO_PRODUCER_EPOCH.
constexpr int64_t kNoProducerId = -1;
constexpr int16_t kNoProducerEpoch = -1;

Response Error(ErrorCode code) {
  Response response;
  response.error_code = kafka::Code(code);
  response.producer_id = kNoProducerId;
  response.producer_epoch = kNoProducerEpoch;
  return response;
}

}  // namespace

Response AnswerInitProducerId(const Request& request, ProducerIdManager& producer_ids) {
  if (request.transactional_id.has_value()) {
    Poco::Logger::get("server").warning(
        "InitProducerId for transactional id \"%s\" refused with INVALID_REQUEST: this broker "
        "does not support transactions yet (idempotent producers without a transactional.id "
        "work)",
        *request.transactional_id);
    return Error(ErrorCode::kInvalidRequest);
  }
  // v0-2 requests carry neither field; they decode as -1/-1.
  const bool no_id = request.producer_id == kNoProducerId;
  const bool no_epoch = request.producer_epoch == kNoProducerEpoch;
  if (no_id != no_epoch) return Error(ErrorCode::kInvalidRequest);

  auto id = producer_ids.NextProducerId();
  if (!id.ok()) {
    const bool retriable = id.status().code() == Status::Code::kUnavailable;
    Poco::Logger::get("server").error("InitProducerId: no producer id: %s", id.status().ToString());
    return Error(retriable ? ErrorCode::kRequestTimedOut : ErrorCode::kUnknownServerError);
  }
  Response response;
  response.error_code = kafka::Code(ErrorCode::kNone);
  response.producer_id = *id;
  response.producer_epoch = 0;
  return response;
}

void RegisterInitProducerId(ApiRegistry& registry, BrokerServices& /*services*/,
                            ProducerIdManager& producer_ids) {
  registry.Register<Request, Response>(
      "InitProducerId", [&producer_ids](const RequestContext& /*ctx*/, Request request,
                                        std::function<void(Response)> respond) {
        respond(AnswerInitProducerId(request, producer_ids));
      });
}

}  // namespace sluice::server
