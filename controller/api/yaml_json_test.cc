// GoogleTest before cpprestsdk: cpprest defines a macro U that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/api/yaml_json.h"

namespace sluice::operator_api {
namespace {

std::string Convert(const std::string& yaml) {
  Result<std::vector<web::json::value>> documents = ParseYamlDocuments(yaml);
  EXPECT_TRUE(documents.ok()) << documents.status().message();
  if (!documents.ok() || documents->size() != 1) return "<not one document>";
  return documents->front().serialize();
}

TEST(YamlToJson, PlainScalarsAreTyped) {
  EXPECT_EQ(Convert("{a: 1, b: -2, c: 0x1F, d: 1.5, e: 1e3, f: true, g: False, h: null, i: ~, "
                    "j: , k: text, l: 10Gi, m: 500m, n: 2.0.1}"),
            R"({"a":1,"b":-2,"c":31,"d":1.5,"e":1000,"f":true,"g":false,"h":null,"i":null,)"
            R"("j":null,"k":"text","l":"10Gi","m":"500m","n":"2.0.1"})");
}

TEST(YamlToJson, Yaml11BooleansAsKubectlReadsThem) {
  EXPECT_EQ(Convert("[yes, No, on, OFF, y, n]"), "[true,false,true,false,true,false]");
}

TEST(YamlToJson, QuotedAndTaggedScalarsAreStrings) {
  EXPECT_EQ(Convert(R"({a: "1", b: 'true', c: !!str 3, d: "", e: !!int "7", f: !!float 2})"),
            R"({"a":"1","b":"true","c":"3","d":"","e":7,"f":2})");
}

TEST(YamlToJson, BlockScalarsAndNesting) {
  EXPECT_EQ(Convert("a:\n  b: [1, {c: d}]\n  text: |\n    line one\n    line two\n"),
            R"({"a":{"b":[1,{"c":"d"}],"text":"line one\nline two\n"}})");
}

TEST(YamlToJson, AliasesAreExpanded) {
  EXPECT_EQ(Convert("a: &x {b: 1}\nc: *x\n"), R"({"a":{"b":1},"c":{"b":1}})");
}

TEST(YamlToJson, MultipleDocumentsEmptyOnesSkipped) {
  Result<std::vector<web::json::value>> documents =
      ParseYamlDocuments("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n");
  ASSERT_TRUE(documents.ok()) << documents.status().message();
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0].serialize(), R"({"a":1})");
  EXPECT_EQ((*documents)[1].serialize(), R"({"b":2})");
}

TEST(YamlToJson, ErrorsSayWhere) {
  Result<std::vector<web::json::value>> bad = ParseYamlDocuments("a: [1, 2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("not valid YAML"), std::string::npos);

  Result<std::vector<web::json::value>> complex_key = ParseYamlDocuments("? [a]\n: 1\n");
  ASSERT_FALSE(complex_key.ok());
  EXPECT_EQ(complex_key.status().message(),
            "line 1, column 3: a mapping key must be a scalar to become JSON");

  Result<std::vector<web::json::value>> bad_tag = ParseYamlDocuments("a: !!int seven\n");
  ASSERT_FALSE(bad_tag.ok());
  EXPECT_EQ(bad_tag.status().message(),
            "line 1, column 4: \"seven\" is tagged !!int but is not an integer");
}

TEST(YamlToJson, MissingFileIsNotFound) {
  Result<std::vector<web::json::value>> missing = ReadYamlFile("/nonexistent/sample.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "cannot open /nonexistent/sample.yaml");
}

}  // namespace
}  // namespace sluice::operator_api
