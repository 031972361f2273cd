// The CRD (manifests/crds/kafkaclusters.sluice.dev.yaml) against the C++ mapping: the same
// fields, the same defaults, the same limits, and samples that pass both.
// GoogleTest before cpprestsdk: cpprest defines a macro U that breaks gtest's templates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "controller/api/defaults.h"
#include "controller/api/kafka_cluster_json.h"
#include "controller/api/quantity.h"
#include "controller/api/test_clusters.h"
#include "controller/api/validation.h"
#include "controller/api/yaml_json.h"

#ifndef SLUICE_SOURCE_DIR
#error "SLUICE_SOURCE_DIR (the repository root) must be defined for crd_test.cc"
#endif

namespace sluice::operator_api {
namespace {

using web::json::value;
namespace fs = std::filesystem;

const fs::path kRepo = SLUICE_SOURCE_DIR;
const fs::path kCrdPath = kRepo / "manifests/crds/kafkaclusters.sluice.dev.yaml";

value LoadCrd() {
  Result<std::vector<value>> documents = ReadYamlFile(kCrdPath.string());
  EXPECT_TRUE(documents.ok()) << documents.status().message();
  if (!documents.ok() || documents->size() != 1) return value::null();
  return documents->front();
}

const value& Version(const value& crd) { return crd.at("spec").at("versions").at(0); }

const value& Schema(const value& crd) { return Version(crd).at("schema").at("openAPIV3Schema"); }

// The schema node at a dotted path of property names ("spec.listeners.internal.basePort");
// "[]" steps into an array's items.
const value& Node(const value& schema, const std::string& path) {
  const value* node = &schema;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string step =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool items = step.size() > 2 && step.compare(step.size() - 2, 2, "[]") == 0;
    if (items) step.resize(step.size() - 2);
    node = &node->at("properties").at(step);
    if (items) node = &node->at("items");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

// A node whose content is free-form to the C++ mapping (config, nodeSelector, resources maps):
// the walk stops there.
// metadata, typed only as an object, is the API server's ObjectMeta.
bool IsOpaque(const value& schema) {
  return schema.has_field("x-kubernetes-preserve-unknown-fields") ||
         schema.has_field("additionalProperties") ||
         (schema.has_field("type") && schema.at("type").as_string() == "object" &&
          !schema.has_field("properties"));
}

// Every path the schema declares below spec and status, e.g. "spec.brokers[].storage.data.size".
void SchemaPaths(const value& schema, const std::string& path, std::set<std::string>& out) {
  if (!path.empty()) out.insert(path);
  if (IsOpaque(schema)) return;
  if (schema.has_field("items")) SchemaPaths(schema.at("items"), path + "[]", out);
  if (!schema.has_field("properties")) return;
  for (const auto& [name, child] : schema.at("properties").as_object()) {
    SchemaPaths(child, path.empty() ? name : path + "." + name, out);
  }
}

// Every path in `json` (array elements as "[]"), stopping where the schema is opaque; a field
// the schema does not have is recorded in `unknown`.
void JsonPaths(const value& json, const value& schema, const std::string& path,
               std::set<std::string>& out, std::set<std::string>& unknown) {
  if (!path.empty()) out.insert(path);
  if (IsOpaque(schema)) return;
  if (json.is_array()) {
    for (const value& item : json.as_array()) {
      JsonPaths(item, schema.at("items"), path + "[]", out, unknown);
    }
  }
  if (!json.is_object()) return;
  for (const auto& [name, child] : json.as_object()) {
    std::string child_path = path.empty() ? name : path + "." + name;
    if (!schema.has_field("properties") || !schema.at("properties").has_field(name)) {
      unknown.insert(child_path);
      continue;
    }
    JsonPaths(child, schema.at("properties").at(name), child_path, out, unknown);
  }
}

std::set<std::string> Below(const std::set<std::string>& paths, const std::string& root) {
  std::set<std::string> out;
  for (const std::string& p : paths) {
    if (p.rfind(root + ".", 0) == 0) out.insert(p);
  }
  return out;
}

// What the API server does to an object before storing it: every absent property with a
// default gets it, recursively (a defaulted object is itself defaulted). `applied` collects the
// schema paths of the defaults used.
void ApplyCrdDefaults(const value& schema, value& json, const std::string& path,
                      std::set<std::string>& applied) {
  if (json.is_array() && schema.has_field("items")) {
    for (size_t i = 0; i < json.size(); ++i) {
      ApplyCrdDefaults(schema.at("items"), json[i], path + "[]", applied);
    }
  }
  if (!json.is_object() || !schema.has_field("properties")) return;
  for (const auto& [name, child] : schema.at("properties").as_object()) {
    std::string child_path = path.empty() ? name : path + "." + name;
    if (!json.has_field(name) && child.has_field("default")) {
      json[name] = child.at("default");
      applied.insert(child_path);
    }
    if (json.has_field(name)) ApplyCrdDefaults(child, json[name], child_path, applied);
  }
}

std::set<std::string> DefaultPaths(const value& schema, const std::string& path) {
  std::set<std::string> out;
  if (!path.empty() && schema.has_field("default")) out.insert(path);
  if (schema.has_field("items")) out.merge(DefaultPaths(schema.at("items"), path + "[]"));
  if (schema.has_field("properties")) {
    for (const auto& [name, child] : schema.at("properties").as_object()) {
      out.merge(DefaultPaths(child, path.empty() ? name : path + "." + name));
    }
  }
  return out;
}

// The value at a schema-style path in an object (the first element for "[]").
const value* At(const value& json, const std::string& path) {
  const value* node = &json;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string step =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool items = step.size() > 2 && step.compare(step.size() - 2, 2, "[]") == 0;
    if (items) step.resize(step.size() - 2);
    if (!node->is_object() || !node->has_field(step)) return nullptr;
    node = &node->at(step);
    if (items) {
      if (!node->is_array() || node->size() == 0) return nullptr;
      node = &node->at(0);
    }
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

std::string Joined(const std::set<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += "\n  " + p;
  return out;
}

TEST(Crd, IsSmallEnoughForClientSideApply) {
  // kubectl apply keeps the whole object in an annotation limited to 256 KiB.
  EXPECT_LT(fs::file_size(kCrdPath), 64u * 1024u);
}

TEST(Crd, NamesSubresourcesAndColumnsMatchTheContract) {
  const value crd = LoadCrd();
  EXPECT_EQ(crd.at("metadata").at("name").as_string(), std::string(kPlural) + "." + kGroup);
  EXPECT_EQ(crd.at("spec").at("group").as_string(), kGroup);
  EXPECT_EQ(crd.at("spec").at("scope").as_string(), "Namespaced");
  const value& names = crd.at("spec").at("names");
  EXPECT_EQ(names.at("kind").as_string(), kKind);
  EXPECT_EQ(names.at("plural").as_string(), kPlural);
  EXPECT_EQ(names.at("shortNames").serialize(), R"(["kc"])");
  EXPECT_EQ(names.at("categories").serialize(), R"(["sluice"])");
  ASSERT_EQ(crd.at("spec").at("versions").size(), 1u);
  const value& version = Version(crd);
  EXPECT_EQ(version.at("name").as_string(), kVersion);
  EXPECT_TRUE(version.at("served").as_bool());
  EXPECT_TRUE(version.at("storage").as_bool());
  EXPECT_EQ(version.at("subresources").at("status").serialize(), "{}");
  const value& scale = version.at("subresources").at("scale");
  EXPECT_EQ(scale.at("specReplicasPath").as_string(), ".spec.replicas");
  EXPECT_EQ(scale.at("statusReplicasPath").as_string(), ".status.replicas");
  EXPECT_EQ(scale.at("labelSelectorPath").as_string(), ".status.labelSelector");
  std::vector<std::string> columns;
  for (const value& column : version.at("additionalPrinterColumns").as_array()) {
    columns.push_back(column.at("name").as_string() + "=" + column.at("jsonPath").as_string());
  }
  EXPECT_THAT(columns, ::testing::ElementsAre(
                           "Brokers=.status.brokersReady", "ZooKeeper=.status.zookeeperReady",
                           R"(Ready=.status.conditions[?(@.type=="Ready")].status)",
                           "Age=.metadata.creationTimestamp"));
}

TEST(Crd, EveryNodeIsTypedAndDescribed) {
  // Structural: every node has a type (or is int-or-string); and every field is documented.
  std::set<std::string> paths;
  const value crd = LoadCrd();
  SchemaPaths(Schema(crd), "", paths);
  std::set<std::string> untyped;
  std::set<std::string> undescribed;
  for (const std::string& path : paths) {
    const value& node = Node(Schema(crd), path);
    if (!node.has_field("type") && !node.has_field("x-kubernetes-int-or-string")) {
      untyped.insert(path);
    }
    // (a list's items are described by the list)
    bool items = path.size() > 2 && path.compare(path.size() - 2, 2, "[]") == 0;
    if (path != "metadata" && !items && !node.has_field("description")) undescribed.insert(path);
  }
  EXPECT_TRUE(untyped.empty()) << "no type:" << Joined(untyped);
  EXPECT_TRUE(undescribed.empty()) << "no description:" << Joined(undescribed);
}

TEST(Crd, SchemaAndJsonMappingHaveTheSameFields) {
  const value crd = LoadCrd();
  const value& schema = Schema(crd);
  std::set<std::string> schema_paths;
  SchemaPaths(schema, "", schema_paths);

  // FullCluster sets every field, so its JSON is everything ToJson can write.
  const value full = ToJson(testing::FullCluster());
  std::set<std::string> json_paths;
  std::set<std::string> unknown;
  JsonPaths(full, schema, "", json_paths, unknown);
  EXPECT_TRUE(unknown.empty()) << "written by ToJson but not in the CRD:" << Joined(unknown);

  for (const char* root : {"spec", "status"}) {
    std::set<std::string> missing;
    for (const std::string& p : Below(schema_paths, root)) {
      if (!json_paths.count(p)) missing.insert(p);
    }
    EXPECT_TRUE(missing.empty()) << "in the CRD but not written by ToJson:" << Joined(missing);
  }
  // FromJson reads all of it back (it refuses fields it does not know, so everything in the
  // schema is known to it), and nothing is lost.
  Result<KafkaCluster> back = FromJson(full);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(ToJson(*back).serialize(), full.serialize());
}

TEST(Crd, BrokersAreAMapKeyedById) {
  const value crd = LoadCrd();
  const value& brokers = Node(Schema(crd), "spec.brokers");
  EXPECT_EQ(brokers.at("x-kubernetes-list-type").as_string(), "map");
  EXPECT_EQ(brokers.at("x-kubernetes-list-map-keys").serialize(), R"(["id"])");
  EXPECT_EQ(brokers.at("items").at("required").serialize(), R"(["id"])");
  EXPECT_TRUE(
      Node(Schema(crd), "spec.config").at("x-kubernetes-preserve-unknown-fields").as_bool());
  EXPECT_TRUE(Node(Schema(crd), "spec.brokers[].config")
                  .at("x-kubernetes-preserve-unknown-fields")
                  .as_bool());
}

TEST(Crd, DefaultsEqualWithDefaults) {
  const value crd = LoadCrd();
  const value& schema = Schema(crd);
  // Objects a user may write: the empty spec, and one with every optional object present but
  // empty, so that the defaults inside optional objects are exercised too.
  const std::vector<value> inputs = {
      value::parse(R"({"spec": {}})"),
      value::parse(R"({"spec": {"brokers": [{"id": 0, "storage": {"data": {}}}],
                               "listeners": {"external": {"advertisedHost": "10.0.0.1"}},
                               "zookeeper": {"managed": {}}, "rackAwareness": {}}})"),
  };
  std::set<std::string> applied;
  for (const value& input : inputs) {
    value defaulted_by_crd = input;
    ApplyCrdDefaults(schema, defaulted_by_crd, "", applied);
    Result<KafkaCluster> by_crd = FromJson(defaulted_by_crd);
    Result<KafkaCluster> by_operator = FromJson(input);
    ASSERT_TRUE(by_crd.ok()) << by_crd.status().message();
    ASSERT_TRUE(by_operator.ok()) << by_operator.status().message();
    EXPECT_EQ(WithDefaults(*by_crd), WithDefaults(*by_operator)) << input.serialize();
    // Each scalar default the CRD filled in is what the operator's defaulting says.
    const value written = ToJson(WithDefaults(*by_operator));
    for (const std::string& path : applied) {
      const value* crd_value = At(defaulted_by_crd, path);
      const value* operator_value = At(written, path);
      if (crd_value == nullptr || crd_value->is_object()) continue;
      ASSERT_NE(operator_value, nullptr) << path;
      EXPECT_EQ(crd_value->serialize(), operator_value->serialize()) << path;
    }
  }
  std::set<std::string> never_applied;
  for (const std::string& path : DefaultPaths(schema, "")) {
    if (!applied.count(path)) never_applied.insert(path);
  }
  EXPECT_TRUE(never_applied.empty())
      << "CRD defaults this test does not reach:" << Joined(never_applied);
  // The image is the one default the CRD leaves to the operator: it depends on its version.
  EXPECT_FALSE(Node(schema, "spec.image").has_field("default"));
  EXPECT_EQ(WithDefaults(KafkaCluster{}).spec.image, DefaultBrokerImage());
}

TEST(Crd, LimitsMatchValidation) {
  const value crd = LoadCrd();
  const value& schema = Schema(crd);
  auto number = [&](const std::string& path, const char* key) {
    return Node(schema, path).at(key).as_integer();
  };
  EXPECT_EQ(number("spec.replicas", "minimum"), 0);
  EXPECT_EQ(number("spec.replicas", "maximum"), kMaxReplicas);
  EXPECT_EQ(number("spec.brokers[].id", "minimum"), 0);
  EXPECT_EQ(number("spec.listeners.internal.basePort", "minimum"), kMinPort);
  EXPECT_EQ(number("spec.listeners.internal.basePort", "maximum"), kMaxPort);
  EXPECT_EQ(number("spec.adminPort", "minimum"), kMinPort);
  EXPECT_EQ(number("spec.adminPort", "maximum"), kMaxPort);
  EXPECT_EQ(number("spec.listeners.external.nodePortBase", "minimum"), kMinNodePort);
  EXPECT_EQ(number("spec.listeners.external.nodePortBase", "maximum"), kMaxNodePort);
  EXPECT_EQ(number("spec.healing.replaceAfterSeconds", "minimum"), kMinReplaceAfterSeconds);
  EXPECT_EQ(Node(schema, "spec.zookeeper.managed.replicas").at("enum").serialize(), "[1,3,5]");
  EXPECT_EQ(Node(schema, "spec.imagePullPolicy").at("enum").serialize(),
            R"(["Always","IfNotPresent","Never"])");
  // Every phase the CRD allows is one FromJson knows, and all six are there.
  const value& phases = Node(schema, "status.brokers[].phase").at("enum");
  EXPECT_EQ(phases.size(), 6u);
  for (const value& phase : phases.as_array()) {
    EXPECT_TRUE(ParseBrokerPhase(phase.as_string()).ok()) << phase.serialize();
  }
}

TEST(Crd, QuantityPatternIsTheOneValidationUses) {
  const value crd = LoadCrd();
  const value& schema = Schema(crd);
  for (const char* path :
       {"spec.storage.data.size", "spec.storage.logs.size", "spec.brokers[].storage.data.size",
        "spec.brokers[].storage.logs.size", "spec.zookeeper.managed.storage.size"}) {
    EXPECT_EQ(Node(schema, path).at("pattern").as_string(), kQuantityPattern) << path;
  }
  for (const char* path :
       {"spec.resources.requests", "spec.resources.limits", "spec.brokers[].resources.requests",
        "spec.zookeeper.managed.resources.limits"}) {
    const value& quantity = Node(schema, path).at("additionalProperties");
    EXPECT_EQ(quantity.at("pattern").as_string(), kQuantityPattern) << path;
    EXPECT_TRUE(quantity.at("x-kubernetes-int-or-string").as_bool()) << path;
  }
}

TEST(Quantity, ParsesKubernetesQuantities) {
  EXPECT_EQ(ParseQuantity("10Gi"), 10.0L * 1024 * 1024 * 1024);
  EXPECT_EQ(ParseQuantity("10240Mi"), ParseQuantity("10Gi"));
  EXPECT_EQ(ParseQuantity("1G"), 1e9L);
  EXPECT_NEAR(static_cast<double>(*ParseQuantity("500m")), 0.5, 1e-12);
  EXPECT_EQ(ParseQuantity("1.5k"), 1500.0L);
  EXPECT_EQ(ParseQuantity("1e3"), 1000.0L);
  EXPECT_EQ(ParseQuantity("2"), 2.0L);
  EXPECT_EQ(ParseQuantity(".5"), 0.5L);
  EXPECT_EQ(ParseQuantity("-1"), -1.0L);
  for (const char* bad : {"", "10GB", "Gi", "1.2.3", "ten", "10 Gi", "1Ki2", "1KI", "+"}) {
    EXPECT_FALSE(ParseQuantity(bad)) << bad;
  }
}

TEST(Samples, ParseDefaultAndValidate) {
  const value crd = LoadCrd();
  int samples = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(kRepo / "manifests/samples")) {
    if (entry.path().extension() != ".yaml") continue;
    ++samples;
    SCOPED_TRACE(entry.path().string());
    Result<std::vector<value>> documents = ReadYamlFile(entry.path().string());
    ASSERT_TRUE(documents.ok()) << documents.status().message();
    ASSERT_EQ(documents->size(), 1u);
    value object = documents->front();
    EXPECT_EQ(object.at("apiVersion").as_string(), kApiVersion);
    EXPECT_EQ(object.at("kind").as_string(), kKind);
    std::set<std::string> paths;
    std::set<std::string> unknown;
    JsonPaths(object, Schema(crd), "", paths, unknown);
    EXPECT_TRUE(unknown.empty()) << "not in the CRD:" << Joined(unknown);

    Result<KafkaCluster> parsed = FromJson(object);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_THAT(Validate(WithDefaults(*parsed)), ::testing::IsEmpty());
    // As the API server stores it (CRD defaults applied), it means the same.
    std::set<std::string> applied;
    ApplyCrdDefaults(Schema(crd), object, "", applied);
    Result<KafkaCluster> stored = FromJson(object);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    EXPECT_EQ(WithDefaults(*stored), WithDefaults(*parsed));
  }
  EXPECT_EQ(samples, 3);
}

TEST(Samples, SayWhatTheyPromise) {
  auto load = [](const char* name) {
    Result<std::vector<value>> documents =
        ReadYamlFile((kRepo / "manifests/samples" / name).string());
    EXPECT_TRUE(documents.ok()) << documents.status().message();
    Result<KafkaCluster> parsed = FromJson(documents->front());
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    return WithDefaults(*parsed).spec;
  };
  const KafkaClusterSpec minimal = load("minimal.yaml");
  EXPECT_EQ(minimal.replicas, 1);
  EXPECT_EQ(minimal.zookeeper.managed->replicas, 1);

  const KafkaClusterSpec production = load("production.yaml");
  EXPECT_EQ(production.replicas, 3);
  EXPECT_EQ(production.zookeeper.managed->replicas, 3);
  EXPECT_EQ(production.config.at("default.replication.factor"), "3");
  EXPECT_EQ(production.config.at("min.insync.replicas"), "2");
  EXPECT_TRUE(production.rack_awareness);
  EXPECT_TRUE(production.resources.value.has_field("requests"));

  const KafkaClusterSpec external = load("external-zookeeper.yaml");
  EXPECT_FALSE(external.zookeeper.managed);
  ASSERT_TRUE(external.zookeeper.external);
  EXPECT_FALSE(external.zookeeper.external->connect.empty());
}

}  // namespace
}  // namespace sluice::operator_api
