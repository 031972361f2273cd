#include "broker/tools/console_properties.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace sluice::tools {
namespace {

TEST(ParseKeyValueArgs, SplitsAtTheFirstEquals) {
  auto p = ParseKeyValueArgs({"a=1", "b=x=y", "c="});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->at("a"), "1");
  EXPECT_EQ(p->at("b"), "x=y");
  EXPECT_EQ(p->at("c"), "");
}

TEST(ParseKeyValueArgs, LaterEntriesWin) {
  EXPECT_EQ(ParseKeyValueArgs({"a=1", "a=2"})->at("a"), "2");
}

TEST(ParseKeyValueArgs, EntryWithoutEqualsFailsListingAll) {
  auto p = ParseKeyValueArgs({"a=1", "oops"});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "Invalid command line properties: a=1 oops");
}

TEST(LoadPropertiesFile, JavaPropertiesSubset) {
  const std::string path = ::testing::TempDir() + "/x.properties";
  {
    std::ofstream out(path);
    out << "# comment\n! also a comment\n\n  a = 1  \nb:2\nc 3\nd=long \\\n   value\r\ne\n";
  }
  auto p = LoadPropertiesFile(path);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->at("a"), "1");
  EXPECT_EQ(p->at("b"), "2");
  EXPECT_EQ(p->at("c"), "3");
  EXPECT_EQ(p->at("d"), "long value");
  EXPECT_EQ(p->at("e"), "");
  EXPECT_EQ(p->size(), 5u);
  std::remove(path.c_str());
}

TEST(LoadPropertiesFile, MissingFileIsNamed) {
  auto p = LoadPropertiesFile("/no/such.properties");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("/no/such.properties"), std::string::npos);
}

TEST(PropertyIsTrue, TrimmedAndCaseInsensitive) {
  Properties p{{"a", " TRUE "}, {"b", "yes"}};
  EXPECT_TRUE(PropertyIsTrue(p, "a"));
  EXPECT_FALSE(PropertyIsTrue(p, "b"));
  EXPECT_FALSE(PropertyIsTrue(p, "missing"));
}

}  // namespace
}  // namespace sluice::tools
