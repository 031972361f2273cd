#include "broker/config/config_values.h"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

TEST(ConfigValuesTest, Integers) {
  EXPECT_EQ(*ParseInt32("k", " 42 "), 42);
  EXPECT_EQ(*ParseInt32("k", "+7"), 7);
  EXPECT_EQ(*ParseInt32("k", "-7"), -7);
  EXPECT_EQ(*ParseInt64("k", "9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt32("k", "").status().message(),
            "Invalid value '' for configuration k: not a number");
  EXPECT_FALSE(ParseInt32("k", "+").ok());
  EXPECT_FALSE(ParseInt32("k", "++1").ok());
  EXPECT_FALSE(ParseInt32("k", "1e3").ok());
  EXPECT_FALSE(ParseInt32("k", "0x10").ok());
  EXPECT_EQ(ParseInt32("k", "2147483648").status().message(),
            "Invalid value '2147483648' for configuration k: out of range for type INT");
  EXPECT_EQ(ParseInt64("k", "5", Between<int64_t>(1, 3)).status().message(),
            "Invalid value '5' for configuration k: must be at most 3");
}

TEST(ConfigValuesTest, Doubles) {
  EXPECT_EQ(*ParseDouble("k", "0.5"), 0.5);
  EXPECT_FALSE(ParseDouble("k", "half").ok());
  EXPECT_FALSE(ParseDouble("k", "nan").ok());
  EXPECT_FALSE(ParseDouble("k", "-0.1", Between<double>(0, 1)).ok());
}

TEST(ConfigValuesTest, Booleans) {
  EXPECT_TRUE(*ParseBool("k", "True"));
  EXPECT_FALSE(*ParseBool("k", " false "));
  EXPECT_FALSE(ParseBool("k", "1").ok());
}

TEST(ConfigValuesTest, Lists) {
  EXPECT_EQ(SplitList(""), std::vector<std::string>{});
  EXPECT_EQ(SplitList(" a , ,b,"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(JoinList({"a", "b"}), "a,b");
}

}  // namespace
}  // namespace sluice::config
