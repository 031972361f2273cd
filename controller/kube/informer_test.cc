// GoogleTest before cpprestsdk: cpprest defines a macro U() that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/kube/informer.h"

#include <mutex>
#include <thread>

#include "controller/kube/fake_client.h"
#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {

using namespace std::chrono_literals;
using web::json::value;

value ConfigMap(const std::string& name, const std::string& v) {
  value object = value::object();
  object["metadata"]["name"] = value::string(name);
  object["data"]["v"] = value::string(v);
  return object;
}

// Handler calls as "add a", "update a 1->2", "delete a".
class Recorder {
 public:
  InformerHandlers Handlers() {
    InformerHandlers h;
    h.on_add = [this](const value& o) { Push("add " + NameOf(o)); };
    h.on_update = [this](const value& o, const value& n) {
      Push("update " + NameOf(n) + " " + o.at("data").at("v").as_string() + "->" +
           n.at("data").at("v").as_string());
    };
    h.on_delete = [this](const value& o) { Push("delete " + NameOf(o)); };
    return h;
  }
  void Push(std::string s) {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(std::move(s));
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  bool WaitFor(size_t n, std::chrono::milliseconds timeout = 3s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Calls().size() >= n) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> calls_;
};

template <typename Predicate>
bool Eventually(Predicate p, std::chrono::milliseconds timeout = 3s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (p()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return p();
}

InformerOptions FastOptions() {
  InformerOptions options;
  options.ns = "ns";
  options.backoff_initial = 10ms;
  options.backoff_max = 40ms;
  return options;
}

TEST(Informer, ListsThenFollowsTheWatchInOrder) {
  FakeClient client;
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("a", "1")).ok());
  ASSERT_TRUE(client.Create(types::kConfigMap, "other", ConfigMap("x", "1")).ok());
  Informer informer(client, types::kConfigMap, FastOptions());
  Recorder recorder;
  informer.AddHandlers(recorder.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(2s));
  ASSERT_TRUE(Eventually([&] { return client.OpenWatches() == 1; }));
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("b", "1")).ok());
  ASSERT_TRUE(
      client.MergePatch(types::kConfigMap, "ns", "a", value::parse(R"({"data":{"v":"2"}})")).ok());
  ASSERT_TRUE(client.Delete(types::kConfigMap, "ns", "b", {}).ok());
  ASSERT_TRUE(recorder.WaitFor(4));
  EXPECT_EQ(recorder.Calls(),
            (std::vector<std::string>{"add a", "add b", "update a 1->2", "delete b"}));
  ASSERT_TRUE(informer.Get("ns", "a").has_value());
  EXPECT_EQ(informer.Get("ns", "a")->at("data").at("v").as_string(), "2");
  EXPECT_FALSE(informer.Get("ns", "b").has_value());
  EXPECT_FALSE(informer.Get("other", "x").has_value());  // another namespace
  EXPECT_EQ(informer.List().size(), 1u);
  EXPECT_EQ(informer.LastResourceVersion(), client.CurrentResourceVersion());
  EXPECT_EQ(informer.ListCount(), 1);
  informer.Stop();
}

TEST(Informer, RewatchesFromTheLastVersionIncludingBookmarksWithoutRelisting) {
  FakeClient client;
  Informer informer(client, types::kConfigMap, FastOptions());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(2s));
  ASSERT_TRUE(Eventually([&] { return client.OpenWatches() == 1; }));
  // Writes elsewhere move the RV on; a bookmark tells the informer.
  ASSERT_TRUE(client.Create(types::kConfigMap, "elsewhere", ConfigMap("z", "1")).ok());
  client.Bookmark(types::kConfigMap);
  ASSERT_TRUE(Eventually(
      [&] { return informer.LastResourceVersion() == client.CurrentResourceVersion(); }));
  const int watches_before = client.Calls("WATCH");
  client.EndWatches();  // the server's timeoutSeconds passed
  ASSERT_TRUE(Eventually([&] { return client.Calls("WATCH") > watches_before; }));
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("c", "1")).ok());
  ASSERT_TRUE(Eventually([&] { return informer.Get("ns", "c").has_value(); }));
  EXPECT_EQ(informer.ListCount(), 1);
  EXPECT_EQ(client.Calls("LIST"), 1);
  informer.Stop();
}

TEST(Informer, GoneRelistsReplacingTheCacheAndReportsWhatVanished) {
  FakeClient client;
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("keep", "1")).ok());
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("vanish", "1")).ok());
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("same", "1")).ok());
  Informer informer(client, types::kConfigMap, FastOptions());
  Recorder recorder;
  informer.AddHandlers(recorder.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(2s));
  ASSERT_TRUE(recorder.WaitFor(3));
  // While the informer is cut off (every watch fails), the world changes and history is
  // compacted, so the next watch from its old RV gets 410.
  client.FailNext("WATCH", Status::Unavailable("connection refused"), 1000);
  client.EndWatches();
  ASSERT_TRUE(Eventually([&] { return client.Calls("WATCH") >= 3; }));
  ASSERT_TRUE(client.Delete(types::kConfigMap, "ns", "vanish", {}).ok());
  ASSERT_TRUE(
      client.MergePatch(types::kConfigMap, "ns", "keep", value::parse(R"({"data":{"v":"2"}})"))
          .ok());
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("new", "1")).ok());
  client.Compact();
  client.ClearFaults();
  // 410 -> one re-LIST; the handlers see exactly the difference.
  ASSERT_TRUE(recorder.WaitFor(6));
  std::vector<std::string> calls = recorder.Calls();
  EXPECT_EQ(std::vector<std::string>(calls.begin() + 3, calls.end()),
            (std::vector<std::string>{"delete vanish", "add new", "update keep 1->2"}));
  EXPECT_EQ(informer.ListCount(), 2);
  EXPECT_FALSE(informer.Get("ns", "vanish").has_value());
  EXPECT_TRUE(informer.Get("ns", "new").has_value());
  EXPECT_EQ(informer.List().size(), 3u);
  // And it follows the watch again from the new list's RV.
  ASSERT_TRUE(Eventually([&] { return client.OpenWatches() == 1; }));
  ASSERT_TRUE(client.Delete(types::kConfigMap, "ns", "same", {}).ok());
  ASSERT_TRUE(recorder.WaitFor(7));
  EXPECT_EQ(recorder.Calls().back(), "delete same");
  informer.Stop();
}

TEST(Informer, ListErrorsAreRetriedWithBackoffUntilSynced) {
  FakeClient client;
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", ConfigMap("a", "1")).ok());
  client.FailNext("LIST", Status::Unavailable("HTTP 503 GET /api/v1/...: etcd unavailable"), 3);
  Informer informer(client, types::kConfigMap, FastOptions());
  auto start = std::chrono::steady_clock::now();
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(3s));
  // Three failures waited about 10 + 20 + 40 ms (each +-20 %, capped at 40 ms).
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(informer.ListCount(), 4);
  EXPECT_TRUE(informer.Get("ns", "a").has_value());
  informer.Stop();
}

TEST(Informer, StopEndsAnIdleWatchPromptly) {
  FakeClient client;
  InformerOptions options = FastOptions();
  options.min_watch_timeout = std::chrono::seconds(600);
  Informer informer(client, types::kConfigMap, options);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(2s));
  ASSERT_TRUE(Eventually([&] { return client.OpenWatches() == 1; }));
  auto start = std::chrono::steady_clock::now();
  informer.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(client.OpenWatches(), 0);
}

TEST(Backoff, DoublesFromInitialToMaxWithinJitter) {
  Backoff backoff(200ms, 30s, 0.2, 42);
  std::vector<int64_t> expected = {200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000};
  for (int64_t base : expected) {
    int64_t got = backoff.Next().count();
    EXPECT_GE(got, static_cast<int64_t>(base * 0.8) - 1) << base;
    EXPECT_LE(got, std::min<int64_t>(static_cast<int64_t>(base * 1.2) + 1, 30000)) << base;
  }
  backoff.Reset();
  EXPECT_LE(backoff.Next().count(), 241);
}

}  // namespace
}  // namespace sluice::kube
