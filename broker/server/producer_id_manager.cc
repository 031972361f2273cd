#include "broker/server/producer_id_manager.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <charconv>
#include <limits>
#include <utility>

namespace sluice::server {

namespace {

constexpr std::string_view kZNode = "/latest_producer_id_block";
// Conditional-set races lost in a row before giving up. Each loss means another broker claimed
// a block in between; losing this many means ZooKeeper writes are not getting through.
constexpr int kMaxClaimAttempts = 50;

Status Malformed(const std::string& why) {
  return Status::Corruption(std::string(kZNode) + ": " + why);
}

Result<int64_t> ParseDecimalInt64(const std::string& field, const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return Malformed(field + " is not a decimal int64: \"" + text + "\"");
  }
  return value;
}

Poco::Logger& Log() { return Poco::Logger::get("server"); }

}  // namespace

std::string ProducerIdBlockZNode::Path() { return std::string(kZNode); }

std::string ProducerIdBlockZNode::Encode(const ProducerIdBlock& block) {
  return "{\"version\":1,\"broker\":" + std::to_string(block.broker.value()) +
         ",\"block_start\":\"" + std::to_string(block.first) + "\",\"block_end\":\"" +
         std::to_string(block.last) + "\"}";
}

Result<ProducerIdBlock> ProducerIdBlockZNode::Decode(std::string_view bytes) {
  Poco::JSON::Object::Ptr object;
  try {
    Poco::JSON::Parser parser;
    auto parsed = parser.parse(std::string(bytes));
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      return Malformed("not a JSON object: " + std::string(bytes));
    }
    object = parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Malformed("invalid JSON (" + e.displayText() + "): " + std::string(bytes));
  } catch (const std::exception& e) {
    return Malformed(std::string("invalid JSON (") + e.what() + "): " + std::string(bytes));
  }
  ProducerIdBlock block;
  try {
    for (const char* field : {"broker", "block_start", "block_end"}) {
      if (!object->has(field)) return Malformed(std::string("missing \"") + field + "\"");
    }
    auto broker = object->get("broker");
    if (!broker.isInteger()) return Malformed("\"broker\" is not an integer");
    const int64_t broker_id = broker.convert<int64_t>();
    if (broker_id < std::numeric_limits<int32_t>::min() ||
        broker_id > std::numeric_limits<int32_t>::max()) {
      return Malformed("\"broker\" out of range: " + std::to_string(broker_id));
    }
    block.broker = BrokerId(static_cast<int32_t>(broker_id));
    auto start = object->get("block_start");
    auto end = object->get("block_end");
    if (!start.isString() || !end.isString()) {
      return Malformed("\"block_start\" and \"block_end\" must be strings");
    }
    auto first = ParseDecimalInt64("block_start", start.extract<std::string>());
    if (!first.ok()) return first.status();
    auto last = ParseDecimalInt64("block_end", end.extract<std::string>());
    if (!last.ok()) return last.status();
    block.first = *first;
    block.last = *last;
  } catch (const Poco::Exception& e) {
    return Malformed("unexpected field type (" + e.displayText() + ")");
  }
  if (block.first < 0 || block.last < block.first) {
    return Malformed("bad block [" + std::to_string(block.first) + ", " +
                     std::to_string(block.last) + "]");
  }
  return block;
}

ProducerIdManager::ProducerIdManager(BrokerId broker_id, metadata::ZkClient& zk)
    : broker_id_(broker_id), zk_(zk) {}

std::optional<ProducerIdBlock> ProducerIdManager::current_block() const {
  std::lock_guard lock(mu_);
  return block_;
}

Result<int64_t> ProducerIdManager::NextProducerId() {
  std::lock_guard lock(mu_);
  if (!block_ || next_id_ > block_->last) {
    auto claimed = ClaimNextBlock();
    if (!claimed.ok()) return claimed.status();
    block_ = *claimed;
    next_id_ = block_->first;
  }
  return next_id_++;
}

Result<ProducerIdBlock> ProducerIdManager::ClaimNextBlock() {
  const std::string path = ProducerIdBlockZNode::Path();
  for (int attempt = 1; attempt <= kMaxClaimAttempts; ++attempt) {
    auto node = zk_.Get(path);
    if (!node.ok() && node.status().code() != Status::Code::kNotFound) return node.status();

    ProducerIdBlock next{broker_id_, 0, kBlockSize - 1};
    if (node.ok() && !node->data.empty()) {
      auto current = ProducerIdBlockZNode::Decode(node->data);
      if (!current.ok()) return current.status();
      if (current->last > std::numeric_limits<int64_t>::max() - kBlockSize) {
        return Status::OutOfRange("every producer id has been handed out: the last block ends at " +
                                  std::to_string(current->last));
      }
      next.first = current->last + 1;
      next.last = current->last + kBlockSize;
    }

    const std::string data = ProducerIdBlockZNode::Encode(next);
    Status written;
    if (node.ok()) {
      written = zk_.Set(path, data, node->stat.version).status();
    } else {
      // Start-up normally creates the znode (PersistentZkPaths); create it if it is missing.
      written = zk_.Create(path, data, metadata::CreateMode::kPersistent).status();
    }
    if (written.ok()) {
      Log().information("Claimed producer id block [%?d, %?d] for broker %d", next.first, next.last,
                        static_cast<int>(broker_id_.value()));
      return next;
    }
    const auto code = written.code();
    if (code != Status::Code::kConflict && code != Status::Code::kAlreadyExists &&
        code != Status::Code::kNotFound) {
      return written;
    }
    // Another broker claimed a block (or created or removed the znode) in between: re-read.
    Log().debug("Producer id block claim %d lost a race: %s", attempt, written.ToString());
  }
  return Status::Unavailable("could not claim a producer id block in " +
                             std::to_string(kMaxClaimAttempts) +
                             " attempts: other brokers kept claiming first");
}

}  // namespace sluice::server
