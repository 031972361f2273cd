#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <sstream>

#include "controller/operator/operator_app.h"
#include "controller/operator/operator_http.h"

namespace sluice::operator_app {
namespace {

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
};

Answer Request(int port, const std::string& method, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session.receiveResponse(response);
  std::ostringstream text;
  Poco::StreamCopier::copyStream(body, text);
  return {static_cast<int>(response.getStatus()), response.getContentType(), text.str()};
}

class OperatorHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.GetCounter("sluice_operator_reconcile_total", "Passes.", {{"result", "ok"}})
        .Increment(3);
    OperatorHttpOptions options;
    options.port = 0;
    options.registry = &registry_;
    options.health = [this]() -> Probe {
      return healthy_ ? Probe{true, "ok"} : Probe{false, "1 worker thread(s) ended"};
    };
    options.ready = [this]() -> Probe {
      return ready_ ? Probe{true, "leader: informers synced"} : Probe{false, "informers syncing"};
    };
    server_ = std::make_unique<OperatorHttpServer>(options);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->BoundPort();
    ASSERT_GT(port_, 0);
  }

  metrics::Registry registry_;
  std::atomic<bool> healthy_{true};
  std::atomic<bool> ready_{false};
  std::unique_ptr<OperatorHttpServer> server_;
  int port_ = 0;
};

TEST_F(OperatorHttpTest, MetricsAreThePrometheusTextOfTheRegistry) {
  Answer answer = Request(port_, "GET", "/metrics");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(answer.body, registry_.Render());
  EXPECT_NE(answer.body.find("sluice_operator_reconcile_total{result=\"ok\"} 3\n"),
            std::string::npos);
}

TEST_F(OperatorHttpTest, ProbesFollowTheirCallbacks) {
  EXPECT_EQ(Request(port_, "GET", "/healthz").status, 200);
  Answer not_ready = Request(port_, "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "informers syncing\n");

  ready_ = true;
  healthy_ = false;
  Answer ready = Request(port_, "GET", "/readyz?verbose");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "leader: informers synced\n");
  Answer unhealthy = Request(port_, "GET", "/healthz");
  EXPECT_EQ(unhealthy.status, 503);
  EXPECT_EQ(unhealthy.body, "1 worker thread(s) ended\n");
}

TEST_F(OperatorHttpTest, OtherPathsAndMethodsAreRefused) {
  EXPECT_EQ(Request(port_, "GET", "/").status, 404);
  EXPECT_EQ(Request(port_, "GET", "/metricsx").status, 404);
  EXPECT_EQ(Request(port_, "POST", "/metrics").status, 405);
  Answer head = Request(port_, "HEAD", "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST_F(OperatorHttpTest, ABusyPortIsAnErrorNamingTheFlag) {
  OperatorHttpOptions options;
  options.port = port_;
  options.registry = &registry_;
  OperatorHttpServer second(options);
  Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--metrics-port=" + std::to_string(port_)), std::string::npos)
      << s.message();
}

TEST_F(OperatorHttpTest, StopIsIdempotentAndFreesThePort) {
  server_->Stop();
  server_->Stop();
  OperatorHttpOptions options;
  options.port = port_;
  options.registry = &registry_;
  OperatorHttpServer again(options);
  EXPECT_TRUE(again.Start().ok());
  EXPECT_EQ(Request(port_, "GET", "/healthz").status, 200);  // no callbacks: healthy
}

TEST(FormatLogLine, KeyValueTextKeepsItsPairs) {
  EXPECT_EQ(FormatLogLine("T", "info", "operator.loop", "cluster=ns/demo result=ok seconds=0.1"),
            "time=T level=info logger=operator.loop cluster=ns/demo result=ok seconds=0.1");
  EXPECT_EQ(FormatLogLine("T", "warning", "operator", "reconcile cluster=a/b error=\"x y = z\""),
            "time=T level=warning logger=operator msg=reconcile cluster=a/b error=\"x y = z\"");
}

TEST(FormatLogLine, ProseIsQuotedAndEscaped) {
  EXPECT_EQ(FormatLogLine("T", "info", "operator.kube.informer",
                          "informer pods: resourceVersion 12 \"expired\""),
            "time=T level=info logger=operator.kube.informer "
            "msg=\"informer pods: resourceVersion 12 \\\"expired\\\"\"");
  EXPECT_EQ(FormatLogLine("T", "error", "x", "two\nlines"),
            "time=T level=error logger=x msg=\"two\\nlines\"");
  // An unterminated quote is not key=value text.
  EXPECT_EQ(FormatLogLine("T", "info", "x", "a=\"open"),
            "time=T level=info logger=x msg=\"a=\\\"open\"");
}

TEST(InitOperatorLogging, RefusesUnknownLevels) {
  EXPECT_FALSE(InitOperatorLogging("verbose").ok());
  EXPECT_TRUE(InitOperatorLogging("error").ok());
}

}  // namespace
}  // namespace sluice::operator_app
