// Golden files: every object the operator owns for each sample cluster, serialized with sorted
// keys, compared byte for byte with controller/resources/testdata/<case>/<kind>-<name>.json.
//
// A deliberate change to a builder changes these files. Regenerate them with
//   SLUICE_UPDATE_GOLDEN=1 ./sluice_operator_resources_test --gtest_filter='Golden*'
// then read the diff (git diff controller/resources/testdata) before committing it: the diff is
// the review of what the change does to the objects in a real cluster.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "controller/resources/builders.h"
#include "controller/resources/test_clusters.h"

#ifndef SLUICE_SOURCE_DIR
#error "SLUICE_SOURCE_DIR (the repository root) must be defined to find the golden files"
#endif

namespace sluice::operator_resources {
namespace {

namespace fs = std::filesystem;
using testing::AllObjects;
using testing::OwnedObject;

fs::path GoldenDir(const std::string& case_name) {
  return fs::path(SLUICE_SOURCE_DIR) / "controller" / "resources" / "testdata" / case_name;
}

std::string FileName(const OwnedObject& object) {
  std::string kind = object.kind;
  for (char& ch : kind) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return kind + "-" + object.name + ".json";
}

bool UpdateRequested() {
  const char* value = std::getenv("SLUICE_UPDATE_GOLDEN");
  return value != nullptr && std::string(value) == "1";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compares (or with SLUICE_UPDATE_GOLDEN=1 rewrites) one case's directory. A file in the
// directory that no object produces fails too: it would be a stale golden nobody checks.
void CheckGolden(const std::string& case_name, const std::vector<OwnedObject>& objects) {
  const fs::path dir = GoldenDir(case_name);
  std::set<std::string> expected_files;
  for (const auto& object : objects) {
    const std::string file = FileName(object);
    EXPECT_TRUE(expected_files.insert(file).second) << "two objects map to " << file;
    const std::string actual = testing::PrettyJson(object.object);
    const fs::path path = dir / file;
    if (UpdateRequested()) {
      fs::create_directories(dir);
      std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with SLUICE_UPDATE_GOLDEN=1 "
                                  << "to write it, then review it";
    EXPECT_EQ(ReadFile(path), actual)
        << path << " differs from what the builders make now; if the change is intended, "
        << "rerun with SLUICE_UPDATE_GOLDEN=1 and review the diff";
  }
  if (UpdateRequested()) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!expected_files.count(entry.path().filename().string())) fs::remove(entry.path());
    }
    return;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_TRUE(expected_files.count(entry.path().filename().string()))
        << entry.path() << " is not produced by any builder any more; delete it";
  }
}

TEST(GoldenTest, MinimalCluster) {
  const auto objects = AllObjects(testing::MinimalCluster(), testing::NoZone);
  EXPECT_EQ(objects.size(), 5u + 5u + 3u);  // ZooKeeper, one broker, the shared three
  CheckGolden("minimal", objects);
}

TEST(GoldenTest, ProductionCluster) {
  const auto objects = AllObjects(testing::ProductionCluster(), testing::ProductionZone);
  EXPECT_EQ(objects.size(), 5u + 3u * 5u + 3u);
  CheckGolden("production", objects);
}

TEST(GoldenTest, ExternalZooKeeperCluster) {
  const auto objects = AllObjects(testing::ExternalZooKeeperCluster(), testing::NoZone);
  EXPECT_EQ(objects.size(), 3u * 5u + 3u);  // no ZooKeeper objects
  CheckGolden("external-zookeeper", objects);
}

// The same input gives the same bytes: nothing depends on a clock, randomness or map order.
TEST(GoldenTest, BuildersAreDeterministic) {
  const auto first = AllObjects(testing::ProductionCluster(), testing::ProductionZone);
  const auto second = AllObjects(testing::ProductionCluster(), testing::ProductionZone);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].object.serialize(), second[i].object.serialize()) << first[i].name;
  }
}

}  // namespace
}  // namespace sluice::operator_resources
