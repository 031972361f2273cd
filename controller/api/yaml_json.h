// YAML -> JSON, as kubectl reads a manifest: for reading manifests/ (samples, the CRD) in tests
// and for anything that takes a KafkaCluster from a file.
//
// Plain scalars are resolved like kubectl's YAML library does: null (~, null, empty), booleans
// (true/false and YAML 1.1's yes/no/on/off/y/n in their usual capitalisations), decimal and 0x
// integers, decimal floats; everything else, and every quoted scalar, is a string. Explicit
// !!str/!!int/!!float/!!bool/!!null tags are honoured.
#pragma once

#include <string>
#include <vector>

#include <cpprest/json.h>
#include <yaml-cpp/yaml.h>

#include "libs/base/status.h"

namespace sluice::operator_api {

Result<web::json::value> YamlToJson(const YAML::Node& node);

// Every document of a multi-document YAML stream, empty documents skipped.
Result<std::vector<web::json::value>> ParseYamlDocuments(const std::string& text);

// ParseYamlDocuments of a file's content; the error names the file.
Result<std::vector<web::json::value>> ReadYamlFile(const std::string& path);

}  // namespace sluice::operator_api
