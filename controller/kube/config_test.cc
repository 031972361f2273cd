// GoogleTest before cpprestsdk: cpprest defines a macro U() that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/kube/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <cpprest/asyncrt_utils.h>

namespace sluice::kube {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kube-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  static std::string B64(const std::string& text) {
    return utility::conversions::to_base64(std::vector<unsigned char>(text.begin(), text.end()));
  }
  fs::path dir_;
};

TEST_F(ConfigTest, KubeconfigCurrentContextWithRelativeFilesAndToken) {
  std::string path = Write("kc/config", R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster: {server: "https://10.0.0.1:6443/", certificate-authority: pki/ca.crt}
- name: c2
  cluster: {server: "https://other:443", insecure-skip-tls-verify: true}
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: team}
- name: prod
  context: {cluster: c2, user: u2}
users:
- name: u1
  user: {token: abc123, client-certificate: pki/me.crt, client-key: /abs/me.key}
- name: u2
  user: {tokenFile: tok}
)");
  Result<ClusterConfig> config = LoadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://10.0.0.1:6443");
  EXPECT_EQ(config->ca_file, (dir_ / "kc/pki/ca.crt").string());
  EXPECT_EQ(config->token, "abc123");
  EXPECT_EQ(config->client_cert_file, (dir_ / "kc/pki/me.crt").string());
  EXPECT_EQ(config->client_key_file, "/abs/me.key");
  EXPECT_EQ(config->ns, "team");
  EXPECT_FALSE(config->insecure_skip_tls_verify);

  Result<ClusterConfig> prod = LoadKubeconfig(path, "prod");
  ASSERT_TRUE(prod.ok()) << prod.status().ToString();
  EXPECT_EQ(prod->server, "https://other:443");
  EXPECT_TRUE(prod->insecure_skip_tls_verify);
  EXPECT_EQ(prod->token_file, (dir_ / "kc/tok").string());
  EXPECT_EQ(prod->ns, "default");
}

TEST_F(ConfigTest, KubeconfigEmbeddedDataIsBase64Decoded) {
  std::string path = Write("config",
                           "current-context: x\n"
                           "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
                           "    certificate-authority-data: " +
                               B64("CA PEM") +
                               "\n"
                               "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                               "users:\n- name: u\n  user:\n"
                               "    client-certificate-data: " +
                               B64("CERT PEM") +
                               "\n"
                               "    client-key-data: " +
                               B64("KEY PEM") + "\n");
  Result<ClusterConfig> config = LoadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->ca_data, "CA PEM");
  EXPECT_EQ(config->client_cert_data, "CERT PEM");
  EXPECT_EQ(config->client_key_data, "KEY PEM");
}

TEST_F(ConfigTest, KubeconfigErrorsNameTheFileAndTheMissingPiece) {
  Result<ClusterConfig> missing = LoadKubeconfig((dir_ / "nope").string());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find((dir_ / "nope").string()), std::string::npos);

  std::string no_current = Write("a", "clusters: []\ncontexts: []\n");
  Result<ClusterConfig> a = LoadKubeconfig(no_current);
  EXPECT_EQ(a.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(a.status().message().find("current-context"), std::string::npos);
  EXPECT_NE(a.status().message().find(no_current), std::string::npos);

  std::string no_cluster =
      Write("b", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: gone, user: u}\n");
  Result<ClusterConfig> b = LoadKubeconfig(no_cluster);
  EXPECT_EQ(b.status().code(), Status::Code::kNotFound);
  EXPECT_NE(b.status().message().find("cluster 'gone'"), std::string::npos) << b.status().message();

  std::string no_server = Write("c",
                                "current-context: x\nclusters:\n- name: c\n  cluster: {}\n"
                                "contexts:\n- name: x\n  context: {cluster: c}\n");
  Result<ClusterConfig> c = LoadKubeconfig(no_server);
  EXPECT_NE(c.status().message().find("has no server"), std::string::npos) << c.status().message();

  std::string cert_no_key =
      Write("d",
            "current-context: x\nclusters:\n- name: c\n  cluster: {server: https://h}\n"
            "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
            "users:\n- name: u\n  user: {client-certificate: a.crt}\n");
  Result<ClusterConfig> d = LoadKubeconfig(cert_no_key);
  EXPECT_EQ(d.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(d.status().message().find("no client-key"), std::string::npos) << d.status().message();

  Result<ClusterConfig> e = LoadKubeconfig(Write("e", "current-context: x\n"), "missing-ctx");
  EXPECT_NE(e.status().message().find("context 'missing-ctx'"), std::string::npos);

  Result<ClusterConfig> f = LoadKubeconfig(Write("f", "a: [unclosed\n"));
  EXPECT_EQ(f.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(ConfigTest, InClusterFromEnvironmentAndServiceAccountFiles) {
  Write("sa/token", "tok-1\n");
  Write("sa/ca.crt", "PEM");
  Write("sa/namespace", "operators");
  ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  Result<ClusterConfig> config = LoadInCluster((dir_ / "sa").string());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ns, "operators");
  EXPECT_EQ(config->token_file, (dir_ / "sa/token").string());
  EXPECT_EQ(config->ca_file, (dir_ / "sa/ca.crt").string());

  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  EXPECT_EQ(LoadInCluster((dir_ / "sa").string())->server, "https://[fd00::1]:443");

  Result<ClusterConfig> no_files = LoadInCluster((dir_ / "absent").string());
  EXPECT_EQ(no_files.status().code(), Status::Code::kNotFound);
  EXPECT_NE(no_files.status().message().find("absent/token"), std::string::npos);

  ::unsetenv("KUBERNETES_SERVICE_HOST");
  Result<ClusterConfig> not_in_pod = LoadInCluster((dir_ / "sa").string());
  EXPECT_EQ(not_in_pod.status().code(), Status::Code::kNotFound);
  ::unsetenv("KUBERNETES_SERVICE_PORT");
}

TEST_F(ConfigTest, LoadDefaultPrefersKubeconfigEnvironment) {
  std::string path =
      Write("k",
            "current-context: x\nclusters:\n- name: c\n  cluster: {server: https://from-env}\n"
            "contexts:\n- name: x\n  context: {cluster: c}\n");
  ::setenv("KUBECONFIG", (path + ":/other/file").c_str(), 1);
  Result<ClusterConfig> config = LoadDefault();
  ::unsetenv("KUBECONFIG");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://from-env");
}

TEST_F(ConfigTest, TokenFileIsReReadWhenOlderThanMaxAge) {
  std::string path = Write("token", "first\n");
  auto now = std::chrono::steady_clock::now();
  BearerTokenSource source("", path, std::chrono::seconds(60), [&] { return now; });
  EXPECT_EQ(*source.Token(), "first");
  Write("token", "second");  // the kubelet rotated the projected token
  now += std::chrono::seconds(30);
  EXPECT_EQ(*source.Token(), "first");  // still fresh
  now += std::chrono::seconds(31);
  EXPECT_EQ(*source.Token(), "second");
  fs::remove(path);
  now += std::chrono::seconds(61);
  EXPECT_EQ(*source.Token(), "second");  // a failed re-read keeps the last token

  BearerTokenSource literal("lit", "");
  EXPECT_EQ(*literal.Token(), "lit");
  BearerTokenSource missing("", (dir_ / "absent").string());
  EXPECT_EQ(missing.Token().status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace sluice::kube
