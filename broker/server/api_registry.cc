#include "broker/server/api_registry.h"

#include <cassert>

namespace sluice::server {

void ApiRegistry::Add(Entry entry) {
  std::unique_lock lock(mu_);
  assert(entries_.count(entry.key) == 0 && "an API key is registered twice");
  const int16_t key = entry.key;
  entries_.emplace(key, std::move(entry));
}

}  // namespace sluice::server
