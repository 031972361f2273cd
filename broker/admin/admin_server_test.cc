#include "broker/admin/admin_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

namespace sluice::admin {
namespace {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string allow;
};

HttpReply Call(int32_t port, const std::string& path, const std::string& method = "GET") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(5, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpReply reply;
  reply.status = response.getStatus();
  reply.content_type = response.getContentType();
  reply.allow = response.get("Allow", "");
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  reply.body = body.str();
  return reply;
}

class AdminServerTest : public ::testing::Test {
 protected:
  AdminServerOptions Options() {
    AdminServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.registry = &registry_;
    options.readiness = [this] { return Readiness{ready_.load(), "loading logs"}; };
    return options;
  }
  metrics::Registry registry_;
  std::atomic<bool> ready_{false};
};

TEST_F(AdminServerTest, PortZeroBindsAnEphemeralPort) {
  AdminServer server(Options());
  EXPECT_EQ(server.BoundPort(), 0);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_GT(server.BoundPort(), 0);
}

TEST_F(AdminServerTest, MetricsServesTheRegistryInPrometheusFormat) {
  registry_
      .GetCounter("kafka_server_brokertopicmetrics_bytesin_total", "Bytes in.", {{"topic", "t"}})
      .Increment(7);
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  HttpReply reply = Call(server.BoundPort(), "/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(reply.body, registry_.Render());
  EXPECT_NE(reply.body.find("kafka_server_brokertopicmetrics_bytesin_total{topic=\"t\"} 7\n"),
            std::string::npos);
  // A query string does not change the path.
  EXPECT_EQ(Call(server.BoundPort(), "/metrics?name[]=x").status, 200);
}

TEST_F(AdminServerTest, HealthzIsOkWhileServing) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  HttpReply reply = Call(server.BoundPort(), "/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok\n");
}

TEST_F(AdminServerTest, ReadyzFollowsTheCallback) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  HttpReply not_ready = Call(server.BoundPort(), "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: loading logs\n");
  ready_ = true;
  HttpReply ready = Call(server.BoundPort(), "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
}

TEST_F(AdminServerTest, ReadyzWithoutCallbackIsReady) {
  AdminServerOptions options = Options();
  options.readiness = nullptr;
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Call(server.BoundPort(), "/readyz").status, 200);
}

TEST_F(AdminServerTest, ThrowingReadinessCallbackIsNotReady) {
  AdminServerOptions options = Options();
  options.readiness = []() -> Readiness { throw std::runtime_error("zk gone"); };
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());
  HttpReply reply = Call(server.BoundPort(), "/readyz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_NE(reply.body.find("zk gone"), std::string::npos);
}

TEST_F(AdminServerTest, UnknownPathIs404AndOtherMethodsAre405) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Call(server.BoundPort(), "/").status, 404);
  EXPECT_EQ(Call(server.BoundPort(), "/metricsx").status, 404);
  HttpReply post = Call(server.BoundPort(), "/metrics", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.allow, "GET, HEAD");
}

TEST_F(AdminServerTest, HeadAnswersWithoutBody) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  HttpReply head = Call(server.BoundPort(), "/healthz", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST_F(AdminServerTest, StartTwiceIsAnErrorAndStopIsIdempotent) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Start().code(), Status::Code::kInternal);
  server.Stop();
  server.Stop();
  EXPECT_EQ(server.BoundPort(), 0);
}

TEST_F(AdminServerTest, StoppedServerRefusesConnections) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  int32_t port = server.BoundPort();
  server.Stop();
  EXPECT_THROW(Call(port, "/healthz"), Poco::Exception);
}

TEST_F(AdminServerTest, RestartAfterStopServesAgain) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  server.Stop();
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Call(server.BoundPort(), "/healthz").status, 200);
}

TEST_F(AdminServerTest, PortInUseIsAnIoErrorNamingTheAddress) {
  AdminServer first(Options());
  ASSERT_TRUE(first.Start().ok());
  AdminServerOptions options = Options();
  options.port = first.BoundPort();
  AdminServer second(options);
  Status s = second.Start();
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(first.BoundPort())), std::string::npos)
      << s.message();
}

TEST_F(AdminServerTest, ManySequentialScrapes) {
  AdminServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(Call(server.BoundPort(), "/metrics").status, 200);
}

}  // namespace
}  // namespace sluice::admin
