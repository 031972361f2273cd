#include "broker/config/properties_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice::config {
namespace {

class PropertiesFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-props-" + std::to_string(::getpid()) + ".properties");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(PropertiesFileTest, CommentsSeparatorsWhitespaceAndContinuations) {
  auto r =
      ReadPropertiesFile(Write("# hash comment\n"
                               "! bang comment\n"
                               "\n"
                               "broker.id=1\n"
                               "  num.partitions = 3  \n"
                               "log.dirs: /a,\\\n"
                               "    /b\n"
                               "broker.id=2\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 3u);
  EXPECT_EQ(r->at("broker.id"), "2");  // last one wins
  EXPECT_EQ(r->at("num.partitions"), "3");
  EXPECT_EQ(r->at("log.dirs"), "/a,/b");
}

TEST_F(PropertiesFileTest, ValuesAreNotExpandedAndMayContainEquals) {
  auto r = ReadPropertiesFile(Write("a=${HOME}\nsasl.jaas.config=x=y\nempty=\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("a"), "${HOME}");
  EXPECT_EQ(r->at("sasl.jaas.config"), "x=y");
  EXPECT_EQ(r->at("empty"), "");
}

TEST_F(PropertiesFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadPropertiesFile("/no/such/file.properties").status().code(),
            Status::Code::kNotFound);
}

TEST(OverrideTest, SplitsAtFirstEquals) {
  EXPECT_EQ(*ParseOverride("broker.id=1"),
            std::make_pair(std::string("broker.id"), std::string("1")));
  EXPECT_EQ(ParseOverride("a=b=c")->second, "b=c");
  EXPECT_EQ(ParseOverride(" k = v ")->first, "k");
  EXPECT_EQ(ParseOverride("k=")->second, "");
  EXPECT_EQ(ParseOverride("novalue").status().message(),
            "Invalid override 'novalue': expected key=value");
  EXPECT_FALSE(ParseOverride("=v").ok());
}

}  // namespace
}  // namespace sluice::config
