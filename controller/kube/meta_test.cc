// GoogleTest before cpprestsdk: cpprest defines a macro U() that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/kube/meta.h"

#include "controller/kube/rest_client.h"

namespace sluice::kube {
namespace {

using web::json::value;

TEST(ResourceTypePath, CoreGroupNamespacedClusterAndSubresource) {
  EXPECT_EQ(types::kPod.Path("ns1"), "/api/v1/namespaces/ns1/pods");
  EXPECT_EQ(types::kPod.Path(""), "/api/v1/pods");
  EXPECT_EQ(types::kConfigMap.Path("a", "b"), "/api/v1/namespaces/a/configmaps/b");
  EXPECT_EQ(types::kNode.Path("ignored", "n1"), "/api/v1/nodes/n1");
  EXPECT_EQ(types::kStatefulSet.Path("x", "zk"), "/apis/apps/v1/namespaces/x/statefulsets/zk");
  EXPECT_EQ(types::kKafkaCluster.Path("x", "demo", "status"),
            "/apis/sluice.dev/v1alpha1/namespaces/x/kafkaclusters/demo/status");
  EXPECT_EQ(types::kLease.ApiVersion(), "coordination.k8s.io/v1");
  EXPECT_EQ(types::kPod.ApiVersion(), "v1");
  EXPECT_EQ(types::kPodDisruptionBudget.ApiVersion(), "policy/v1beta1");
  EXPECT_EQ(types::kEvent.Path("d"), "/apis/events.k8s.io/v1/namespaces/d/events");
}

TEST(StatusFromHttp, MapsEveryClassAsClientHDocuments) {
  const std::string already =
      R"({"kind":"Status","status":"Failure","message":"configmaps \"a\" already exists","reason":"AlreadyExists","code":409})";
  const std::string conflict =
      R"({"kind":"Status","message":"Operation cannot be fulfilled on configmaps \"a\": the object has been modified","reason":"Conflict","code":409})";
  Status s = StatusFromHttp(409, "POST", "/api/v1/namespaces/n/configmaps", already);
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(s.message(),
            "HTTP 409 POST /api/v1/namespaces/n/configmaps: configmaps \"a\" already exists");
  EXPECT_EQ(StatusFromHttp(409, "PUT", "/p", conflict).code(), Status::Code::kConflict);
  EXPECT_EQ(StatusFromHttp(404, "GET", "/p", "{}").code(), Status::Code::kNotFound);
  EXPECT_EQ(StatusFromHttp(410, "GET", "/p", "").code(), Status::Code::kOutOfRange);
  EXPECT_EQ(StatusFromHttp(400, "GET", "/p", "").code(), Status::Code::kInvalidArgument);
  Status invalid = StatusFromHttp(
      422, "POST", "/p",
      R"({"message":"ConfigMap \"Bad\" is invalid: metadata.name: Invalid value","reason":"Invalid"})");
  EXPECT_EQ(invalid.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(invalid.message().find("metadata.name"), std::string::npos);
  Status forbidden = StatusFromHttp(
      403, "LIST", "/api/v1/pods",
      R"({"message":"pods is forbidden: User \"system:serviceaccount:x:y\" cannot list resource \"pods\"","reason":"Forbidden"})");
  EXPECT_EQ(forbidden.code(), Status::Code::kIoError);
  EXPECT_NE(forbidden.message().find("forbidden: pods is forbidden: User"), std::string::npos)
      << forbidden.message();
  EXPECT_EQ(StatusFromHttp(401, "GET", "/p", "").code(), Status::Code::kIoError);
  EXPECT_EQ(StatusFromHttp(429, "GET", "/p", "").code(), Status::Code::kUnavailable);
  EXPECT_EQ(StatusFromHttp(503, "GET", "/p", "<html>down</html>").code(),
            Status::Code::kUnavailable);
  EXPECT_NE(StatusFromHttp(503, "GET", "/p", "<html>down</html>").message().find("<html>down"),
            std::string::npos);
  EXPECT_EQ(StatusFromHttp(504, "GET", "/p", "").code(), Status::Code::kUnavailable);
  EXPECT_TRUE(StatusFromHttp(201, "POST", "/p", "").ok());
}

TEST(LineSplitter, EventsSplitAcrossChunksComeOutWhole) {
  const std::string stream =
      "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"5\"}}}\n"
      "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"9\"}}}\r\n"
      "\n"
      "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"10\"}}}"
      "\n";
  // Every split into pieces of n bytes gives the same three lines.
  for (size_t piece : {1u, 2u, 7u, 50u, 1000u}) {
    LineSplitter splitter;
    std::vector<std::string> lines;
    for (size_t i = 0; i < stream.size(); i += piece) {
      splitter.Feed(std::string_view(stream).substr(i, piece), [&](std::string_view line) {
        lines.emplace_back(line);
        return true;
      });
    }
    ASSERT_EQ(lines.size(), 3u) << "piece " << piece;
    EXPECT_TRUE(splitter.pending().empty());
    Result<WatchEvent> first = ParseWatchLine(lines[0]);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->type, WatchEvent::Type::kAdded);
    EXPECT_EQ(NameOf(first->object), "a");
    Result<WatchEvent> bookmark = ParseWatchLine(lines[1]);
    ASSERT_TRUE(bookmark.ok()) << bookmark.status().ToString();
    EXPECT_EQ(bookmark->type, WatchEvent::Type::kBookmark);
    EXPECT_EQ(ResourceVersionOf(bookmark->object), "9");
    EXPECT_EQ(ParseWatchLine(lines[2])->type, WatchEvent::Type::kDeleted);
  }
}

TEST(LineSplitter, KeepsTheUnfinishedTailAndStopsWhenAsked) {
  LineSplitter splitter;
  int calls = 0;
  EXPECT_FALSE(splitter.Feed("one\ntwo\nthr", [&](std::string_view) { return ++calls < 1; }));
  EXPECT_EQ(calls, 1);
  LineSplitter tail;
  tail.Feed("abc\nde", [](std::string_view) { return true; });
  EXPECT_EQ(tail.pending(), "de");
}

TEST(ParseWatchLine, ErrorEventWith410IsOutOfRangeOthersMapped) {
  Result<WatchEvent> gone = ParseWatchLine(
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (100)","reason":"Expired","code":410}})j");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), Status::Code::kOutOfRange);
  EXPECT_NE(gone.status().message().find("too old resource version"), std::string::npos);
  Result<WatchEvent> internal = ParseWatchLine(
      R"({"type":"ERROR","object":{"kind":"Status","message":"etcd down","code":500}})");
  EXPECT_EQ(internal.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(ParseWatchLine("{not json").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseWatchLine(R"({"type":"WEIRD","object":{}})").status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(ParseWatchLine(R"({"object":{}})").status().code(), Status::Code::kCorruption);
}

TEST(Meta, AccessorsKeysAndTimes) {
  value pod = value::parse(
      R"({"metadata":{"name":"p","namespace":"n","resourceVersion":"7","uid":"u","generation":3,
          "labels":{"a":"1"},"annotations":{"b":"2"}}})");
  EXPECT_EQ(NameOf(pod), "p");
  EXPECT_EQ(NamespaceOf(pod), "n");
  EXPECT_EQ(ResourceVersionOf(pod), "7");
  EXPECT_EQ(UidOf(pod), "u");
  EXPECT_EQ(GenerationOf(pod), 3);
  EXPECT_EQ(LabelsOf(pod).at("a"), "1");
  EXPECT_EQ(AnnotationsOf(pod).at("b"), "2");
  EXPECT_EQ(KeyOf(pod), "n/p");
  EXPECT_EQ(SplitKey("n/p"), std::make_pair(std::string("n"), std::string("p")));
  EXPECT_EQ(SplitKey("node1"), std::make_pair(std::string(), std::string("node1")));
  value empty = value::object();
  EXPECT_EQ(NameOf(empty), "");
  EXPECT_TRUE(LabelsOf(empty).empty());
  auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456LL));
  EXPECT_EQ(FormatMicroTime(t), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(FormatTime(t), "2023-11-14T22:13:20Z");
}

TEST(Meta, RetryOnConflictRetriesOnlyConflicts) {
  int calls = 0;
  Status s =
      RetryOnConflict([&] { return ++calls < 3 ? Status::Conflict("stale") : Status::Ok(); });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);
  calls = 0;
  s = RetryOnConflict(
      [&] {
        ++calls;
        return Status::Conflict("always");
      },
      4);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_EQ(calls, 4);
  calls = 0;
  s = RetryOnConflict([&] {
    ++calls;
    return Status::NotFound("gone");
  });
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(calls, 1);
}

TEST(ListQuery, EncodesSelectorsAndDropsRvWithContinue) {
  ListOptions options;
  options.label_selector = "app in (a,b),tier!=x";
  options.limit = 2;
  options.resource_version = "55";
  EXPECT_EQ(ListQuery(options, ""),
            "labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Dx&limit=2&resourceVersion=55");
  EXPECT_EQ(ListQuery(options, "tok=="),
            "labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Dx&limit=2&continue=tok%3D%3D");
  EXPECT_EQ(ListQuery(ListOptions{}, ""), "");
}

}  // namespace
}  // namespace sluice::kube
