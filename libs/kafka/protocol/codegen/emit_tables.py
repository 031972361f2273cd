"""Emits the cross-message files: api_table.h/.cc, dispatch.h and all_messages.h."""

from schema import SchemaError

HEADER_NOTE = ("// Generated from libs/kafka/schemas/*.schema by "
               "libs/kafka/protocol/codegen/generate.py. Do not edit.")


def _apis(schemas):
    """Request messages by key; a response must agree with its request on versions."""
    requests, responses = {}, {}
    for schema in schemas:
        for m in schema.messages:
            table = {"request": requests, "response": responses}.get(m.kind)
            if table is None:
                continue
            if m.key in table:
                other = table[m.key]
                raise SchemaError(schema.path, m.line,
                                  f"api key {m.key} is also used by {other.cpp_name}")
            table[m.key] = m
            m.schema_path = schema.path
    for key, resp in responses.items():
        req = requests.get(key)
        if req is None:
            continue
        if (req.versions != resp.versions or req.flexible != resp.flexible or
                req.name != resp.name):
            raise SchemaError(resp.schema_path, resp.line,
                              f"{resp.cpp_name} does not match {req.cpp_name} "
                              "(name, versions and flexible must agree)")
    return requests, responses


def emit_api_table(schemas):
    requests, _ = _apis(schemas)
    keys = sorted(requests)
    h = [HEADER_NOTE,
         "//",
         "// Every request the schemas describe, with the version facts the network layer needs",
         "// before it can decode anything: which header version a request and its response use.",
         "#pragma once", "",
         "#include <array>", "#include <cstdint>", "#include <string_view>", "",
         "namespace sluice::kafka {", "",
         "struct ApiSpec {",
         "  int16_t key;",
         "  std::string_view name;  // Kafka's name without the Request suffix, e.g. \"Fetch\"",
         "  int16_t min_version;",
         "  int16_t max_version;",
         "  int16_t first_flexible_version;  // -1 when no version is flexible",
         "};", "",
         "// Sorted by key.",
         f"inline constexpr std::array<ApiSpec, {len(keys)}> kApiTable{{{{"]
    for k in keys:
        m = requests[k]
        flex = -1 if m.flexible is None else m.flexible
        h.append(f"    {{{k}, \"{m.name}\", {m.versions.lo}, {m.versions.hi}, {flex}}},")
    h += ["}};", "",
          "// The entry for `key`, or nullptr when the schemas do not describe that API.",
          "const ApiSpec* FindApi(int16_t key);", "",
          "// True when `version` of `key` uses the flexible encoding (also past max_version, so",
          "// that a too-new request header can still be read). False for unknown keys.",
          "bool IsFlexibleVersion(int16_t key, int16_t version);", "",
          "// Request header version: 2 for flexible versions, else 1; ControlledShutdown (key 7)",
          "// v0 uses header v0 (no client id). Unknown keys: 1.",
          "int16_t RequestHeaderVersion(int16_t key, int16_t version);", "",
          "// Response header version: 1 for flexible versions, else 0. ApiVersions (key 18)",
          "// always answers with header v0 so a client can read it before it knows the",
          "// broker's versions (KIP-511).",
          "int16_t ResponseHeaderVersion(int16_t key, int16_t version);", "",
          "}  // namespace sluice::kafka", ""]
    cc = [HEADER_NOTE,
          '#include "libs/kafka/messages/api_table.h"', "",
          "#include <algorithm>", "",
          "namespace sluice::kafka {", "",
          "const ApiSpec* FindApi(int16_t key) {",
          "  auto it = std::lower_bound(kApiTable.begin(), kApiTable.end(), key,",
          "                             [](const ApiSpec& a, int16_t k) { return a.key < k; });",
          "  return it != kApiTable.end() && it->key == key ? &*it : nullptr;",
          "}", "",
          "bool IsFlexibleVersion(int16_t key, int16_t version) {",
          "  const ApiSpec* api = FindApi(key);",
          "  return api != nullptr && api->first_flexible_version >= 0 &&",
          "         version >= api->first_flexible_version;",
          "}", "",
          "int16_t RequestHeaderVersion(int16_t key, int16_t version) {",
          "  constexpr int16_t kControlledShutdown = 7;",
          "  if (key == kControlledShutdown && version == 0) return 0;",
          "  return IsFlexibleVersion(key, version) ? 2 : 1;",
          "}", "",
          "int16_t ResponseHeaderVersion(int16_t key, int16_t version) {",
          "  constexpr int16_t kApiVersions = 18;",
          "  if (key == kApiVersions) return 0;",
          "  return IsFlexibleVersion(key, version) ? 1 : 0;",
          "}", "",
          "}  // namespace sluice::kafka", ""]
    return "\n".join(h), "\n".join(cc)


def emit_dispatch(schemas):
    requests, responses = _apis(schemas)
    h = [HEADER_NOTE,
         "//",
         "// From an api key to the generated type: VisitRequestType(key, fn) calls",
         "// fn(std::type_identity<FetchRequest>{}) for key 1, and so on, and returns false for a key",
         "// the schemas do not describe. Use: VisitRequestType(key, [&](auto type) {",
         "//   using Request = typename decltype(type)::type; ... });",
         "#pragma once", "",
         "#include <cstdint>", "#include <type_traits>", ""]
    for schema in schemas:
        h.append(f'#include "libs/kafka/messages/{schema.stem}.h"')
    h += ["", "namespace sluice::kafka {", ""]
    for kind, table in (("Request", requests), ("Response", responses)):
        h += ["template <typename Fn>",
              f"bool Visit{kind}Type(int16_t api_key, Fn&& fn) {{",
              "  switch (api_key) {"]
        for k in sorted(table):
            h.append(f"    case {k}: fn(std::type_identity<{table[k].cpp_name}>{{}}); return true;")
        h += ["    default: return false;", "  }", "}", ""]
    h += ["}  // namespace sluice::kafka", ""]
    return "\n".join(h)


def emit_all_messages(schemas):
    h = [HEADER_NOTE,
         "//",
         "// SLUICE_KAFKA_FOR_EACH_MESSAGE(X) expands X(Type) for every generated top-level message",
         "// (requests, responses and headers); tests use it to cover every message and version.",
         "#pragma once", ""]
    for schema in schemas:
        h.append(f'#include "libs/kafka/messages/{schema.stem}.h"')
    names = [m.cpp_name for s in schemas for m in s.messages]
    h += ["", "#define SLUICE_KAFKA_FOR_EACH_MESSAGE(X) \\"]
    h += [f"  X({n}) \\" for n in names]
    h += ["  /* end */", ""]
    return "\n".join(h)
