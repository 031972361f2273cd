#include "libs/base/status.h"

#include <gtest/gtest.h>

#include "libs/base/ids.h"

namespace sluice {
namespace {

TEST(Status, OkByDefault) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().ToString(), "OK");
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = Status::Corruption("crc mismatch at 4096");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_EQ(s.ToString(), "Corruption: crc mismatch at 4096");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good(7);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad(Status::NotFound("topic t"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kNotFound);
}

Status FailsThenStops() {
  SLUICE_RETURN_IF_ERROR(Status::IoError("disk full"));
  return Status::Internal("not reached");
}

TEST(Status, ReturnIfErrorPropagates) {
  EXPECT_EQ(FailsThenStops().code(), Status::Code::kIoError);
}

TEST(StrongInt, OrdersAndDiffers) {
  Offset a(5), b(9);
  EXPECT_LT(a, b);
  EXPECT_EQ(b - a, 4);
  EXPECT_EQ((a + 3).value(), 8);
}

}  // namespace
}  // namespace sluice
