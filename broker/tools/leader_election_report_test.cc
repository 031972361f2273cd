#include "broker/tools/leader_election_report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {
namespace {

using kafka::Code;
using kafka::ErrorCode;

TEST(LeaderElectionReport, SuccessNoopAndErrorsInKafkasWords) {
  std::ostringstream out;
  const int failed = PrintElectionResults(
      ElectionType::kPreferred,
      {
          {"foo", 1, Code(ErrorCode::kElectionNotNeeded), "Leader election not needed"},
          {"foo", 0, 0, std::nullopt},
          {"bar", 0, 0, std::string()},
          {"baz", 2, Code(ErrorCode::kPreferredLeaderNotAvailable),
           "Failed to elect leader for partition baz-2 under strategy "
           "PreferredReplicaPartitionLeaderElectionStrategy"},
          {"baz", 1, Code(ErrorCode::kUnknownTopicOrPartition), std::nullopt},
      },
      out);
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(out.str(),
            "Successfully completed leader election (PREFERRED) for partitions bar-0, foo-0\n"
            "Valid replica already elected for partitions foo-1\n"
            "Error completing leader election (PREFERRED) for partition: baz-1: "
            "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does "
            "not host this topic-partition.\n"
            "Error completing leader election (PREFERRED) for partition: baz-2: "
            "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: Failed to elect "
            "leader for partition baz-2 under strategy "
            "PreferredReplicaPartitionLeaderElectionStrategy\n");
}

TEST(LeaderElectionReport, OnlyTheLinesThatApply) {
  std::ostringstream noop;
  EXPECT_EQ(
      PrintElectionResults(ElectionType::kUnclean,
                           {{"t", 0, Code(ErrorCode::kElectionNotNeeded), std::nullopt}}, noop),
      0);
  EXPECT_EQ(noop.str(), "Valid replica already elected for partitions t-0\n");

  std::ostringstream elected;
  EXPECT_EQ(
      PrintElectionResults(ElectionType::kUnclean, {{"t", 10, 0, {}}, {"t", 9, 0, {}}}, elected),
      0);
  EXPECT_EQ(elected.str(),
            "Successfully completed leader election (UNCLEAN) for partitions t-9, t-10\n");

  std::ostringstream nothing;
  EXPECT_EQ(PrintElectionResults(ElectionType::kPreferred, {}, nothing), 0);
  EXPECT_EQ(nothing.str(), "");
}

TEST(LeaderElectionReport, ExceptionNames) {
  EXPECT_EQ(KafkaExceptionText(Code(ErrorCode::kEligibleLeadersNotAvailable), "none live"),
            "org.apache.kafka.common.errors.EligibleLeadersNotAvailableException: none live");
  EXPECT_EQ(KafkaExceptionText(Code(ErrorCode::kRequestTimedOut), std::nullopt),
            "org.apache.kafka.common.errors.TimeoutException: The request timed out.");
  EXPECT_EQ(KafkaExceptionText(Code(ErrorCode::kNotController), std::nullopt),
            "org.apache.kafka.common.errors.NotControllerException: This is not the correct "
            "controller for this cluster.");
  EXPECT_EQ(KafkaExceptionText(Code(ErrorCode::kClusterAuthorizationFailed), std::nullopt),
            "org.apache.kafka.common.errors.ClusterAuthorizationException: Cluster authorization "
            "failed.");
}

}  // namespace
}  // namespace sluice::tools
