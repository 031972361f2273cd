// Kubernetes resource quantities ("10Gi", "500m", "1e3"), for storage sizes and resources.
#pragma once

#include <optional>
#include <string>

namespace sluice::operator_api {

// The API server's grammar for a quantity, as a regular expression that both std::regex
// (ECMAScript) and the API server's OpenAPI `pattern` (RE2) read the same way. The CRD uses it
// verbatim for storage sizes (crd_test checks the two agree).
inline constexpr const char* kQuantityPattern =
    R"(^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$)";

// The quantity's value in base units (bytes for storage), or nullopt when `text` is not a
// quantity. long double holds every size a volume can have exactly enough to order them.
std::optional<long double> ParseQuantity(const std::string& text);

}  // namespace sluice::operator_api
