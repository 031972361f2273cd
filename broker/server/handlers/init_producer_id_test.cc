// InitProducerId answers (Kafka 2.8 for a null TransactionalId), against a real ZooKeeper.
#include "broker/server/handlers/init_producer_id.h"

#include <gtest/gtest.h>

#include "broker/metadata/zk_test_fixture.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {
namespace {

using kafka::ErrorCode;
using Request = kafka::InitProducerIdRequest;

class InitProducerIdTest : public metadata::ZkTest {
 protected:
  void SetUp() override {
    metadata::ZkTest::SetUp();
    zk_ = Connect();
    ASSERT_NE(zk_, nullptr);
    manager_ = std::make_unique<ProducerIdManager>(BrokerId(1), *zk_);
  }

  static Request Idempotent() {
    Request request;
    request.transactional_id = std::nullopt;
    request.transaction_timeout_ms = 2147483647;
    return request;
  }

  std::unique_ptr<metadata::ZkClient> zk_;
  std::unique_ptr<ProducerIdManager> manager_;
};

TEST_F(InitProducerIdTest, IdempotentProducersGetNewIdsWithEpochZero) {
  for (int64_t expected = 0; expected < 3; ++expected) {
    auto response = AnswerInitProducerId(Idempotent(), *manager_);
    EXPECT_EQ(response.error_code, kafka::Code(ErrorCode::kNone));
    EXPECT_EQ(response.producer_id, expected);
    EXPECT_EQ(response.producer_epoch, 0);
    EXPECT_EQ(response.throttle_time_ms, 0);
  }
}

TEST_F(InitProducerIdTest, AKnownIdAndEpochStillGetsANewId) {
  auto first = AnswerInitProducerId(Idempotent(), *manager_);
  ASSERT_EQ(first.error_code, kafka::Code(ErrorCode::kNone));
  Request again = Idempotent();  // v3+: the producer names its current id and epoch
  again.producer_id = first.producer_id;
  again.producer_epoch = 5;
  auto response = AnswerInitProducerId(again, *manager_);
  EXPECT_EQ(response.error_code, kafka::Code(ErrorCode::kNone));
  EXPECT_NE(response.producer_id, first.producer_id);
  EXPECT_EQ(response.producer_epoch, 0);
}

TEST_F(InitProducerIdTest, HalfAnIdAndEpochIsInvalid) {
  Request id_only = Idempotent();
  id_only.producer_id = 42;
  Request epoch_only = Idempotent();
  epoch_only.producer_epoch = 3;
  for (const Request& request : {id_only, epoch_only}) {
    auto response = AnswerInitProducerId(request, *manager_);
    EXPECT_EQ(response.error_code, kafka::Code(ErrorCode::kInvalidRequest));
    EXPECT_EQ(response.producer_id, -1);
    EXPECT_EQ(response.producer_epoch, -1);
  }
  EXPECT_FALSE(manager_->current_block().has_value());  // no id was spent
}

TEST_F(InitProducerIdTest, TransactionalIdsAreRefused) {
  Request request = Idempotent();
  for (const char* transactional_id : {"my-txn", ""}) {
    request.transactional_id = transactional_id;
    auto response = AnswerInitProducerId(request, *manager_);
    EXPECT_EQ(response.error_code, kafka::Code(ErrorCode::kInvalidRequest));
    EXPECT_EQ(response.producer_id, -1);
    EXPECT_EQ(response.producer_epoch, -1);
  }
  EXPECT_FALSE(manager_->current_block().has_value());
}

TEST_F(InitProducerIdTest, ACorruptBlockZNodeIsAServerError) {
  ASSERT_TRUE(
      zk_->Create(ProducerIdBlockZNode::Path(), "nonsense", metadata::CreateMode::kPersistent)
          .ok());
  auto response = AnswerInitProducerId(Idempotent(), *manager_);
  EXPECT_EQ(response.error_code, kafka::Code(ErrorCode::kUnknownServerError));
  EXPECT_EQ(response.producer_id, -1);
  EXPECT_EQ(response.producer_epoch, -1);
}

// Every version decodes a v0-4 request to the same answer (v0-2 carry no ProducerId/Epoch and
// decode them as -1/-1).
TEST_F(InitProducerIdTest, EveryVersionRoundTrips) {
  for (int16_t version = Request::kMinVersion; version <= Request::kMaxVersion; ++version) {
    std::vector<uint8_t> bytes;
    kafka::Writer writer(bytes);
    Idempotent().Encode(writer, version);
    kafka::Reader reader(bytes);
    Request decoded;
    ASSERT_TRUE(decoded.Decode(reader, version).ok());
    auto response = AnswerInitProducerId(decoded, *manager_);
    EXPECT_EQ(response.error_code, kafka::Code(ErrorCode::kNone)) << "v" << version;
    EXPECT_EQ(response.producer_id, version) << "v" << version;
  }
}

}  // namespace
}  // namespace sluice::server
