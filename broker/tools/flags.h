// Command-line flags for the `sluice` tools, parsed the way Kafka's tools (joptsimple) parse them.
//
// NOTE TO THE OTHER TOOL AUTHORS (console-producer, console-consumer): this parser is shared by
// all four tools; please use it rather than writing another. Typical use:
//
//   FlagSet flags("sluice console-producer", "Read lines from stdin and produce them.");
//   flags.Value("topic", "topic", "REQUIRED: The topic id to produce messages to.")
//        .Repeated("property", "prop", "A mechanism to pass user-defined properties ...")
//        .Switch("sync", "If set message send requests to the brokers are synchronous ...");
//   auto parsed = flags.Parse(args);
//   if (!parsed.ok()) return flags.UsageError(parsed.status().message());
//   if (parsed->Has("help")) return flags.PrintHelp(std::cout), 0;
//   auto topic = parsed->Get("topic");                  // std::optional<std::string>
//   auto batch = parsed->GetInt32("batch-size", 200);   // Result<int32_t>, error names the flag
//   if (auto st = RequireFlags(*parsed, {"topic"}); !st.ok()) return flags.UsageError(st.message());
//
// Accepted syntax (joptsimple's): `--name value`, `--name=value`, and any unambiguous prefix of a
// long name (`--bootstrap` for `--bootstrap-server`), as Kafka users type them. A value may
// start with '-' (`--shift-by -2`): a flag that takes a value always consumes the next word.
// `--help` is defined by every FlagSet. Arguments that are not flags are an error (Kafka's
// tools take none).
//
// Error messages follow Kafka's CommandLineUtils wording, so a user (or a test) sees the same
// text as with Kafka: `Missing required argument "[topic]"`,
// `Option "[partitions]" can't be used with option "[replica-assignment]"`,
// `topc is not a recognized option`, `Option topic requires an argument`.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "libs/base/status.h"

namespace sluice::tools {

// The flags a user gave, after parsing. Names are the long names without "--".
class ParsedFlags {
 public:
  bool Has(std::string_view name) const;
  // The last value given (flags given twice keep the last, as joptsimple's valueOf does for
  // single-valued options); nullopt if absent or a switch.
  std::optional<std::string> Get(std::string_view name) const;
  std::string GetOr(std::string_view name, std::string fallback) const;
  // Every value in command-line order (repeatable flags: --config a=1 --config b=2).
  std::vector<std::string> GetAll(std::string_view name) const;
  // Parses the value as a decimal integer. `fallback` when the flag is absent; InvalidArgument
  // naming the flag and the value when it is not a number in range.
  Result<int32_t> GetInt32(std::string_view name, int32_t fallback = 0) const;
  Result<int64_t> GetInt64(std::string_view name, int64_t fallback = 0) const;

  // Names of the flags given, in first-seen order.
  const std::vector<std::string>& given() const { return order_; }

 private:
  friend class FlagSet;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> order_;
};

class FlagSet {
 public:
  // `program` heads the usage ("Usage: <program> [options]"); `summary` is printed above the
  // option table by --help and by usage errors, as Kafka prints the tool's purpose.
  FlagSet(std::string program, std::string summary);

  // A flag without a value (--list).
  FlagSet& Switch(std::string name, std::string description);
  // A flag with one value (--topic t). `value_name` shows in the help: --topic <String: topic>.
  FlagSet& Value(std::string name, std::string value_name, std::string description);
  // A flag that may be given several times (--config a=1 --config b=2).
  FlagSet& Repeated(std::string name, std::string value_name, std::string description);

  Result<ParsedFlags> Parse(const std::vector<std::string>& args) const;

  // The joptsimple-style table: "Option  Description" then one row per flag, sorted by name.
  void PrintHelp(std::ostream& out) const;
  // Kafka's CommandLineUtils.printUsageAndDie: `message` then the help, to stderr; returns 1 (the
  // exit code) so callers can `return flags.UsageError(...)`.
  int UsageError(std::string_view message) const;

  const std::string& summary() const { return summary_; }

 private:
  enum class Kind { kSwitch, kValue, kRepeated };
  struct Spec {
    std::string name;
    Kind kind;
    std::string value_name;
    std::string description;
  };
  FlagSet& Add(Spec spec);
  // Exact name, else the one flag the prefix abbreviates. InvalidArgument when unknown or
  // ambiguous.
  Result<const Spec*> Resolve(std::string_view name) const;

  std::string program_;
  std::string summary_;
  std::vector<Spec> specs_;
};

// joptsimple's rendering of an option in messages: "[topic]".
std::string QuoteFlag(std::string_view name);

// CommandLineUtils.checkRequiredArgs: InvalidArgument `Missing required argument "[name]"` for
// the first absent flag.
Status RequireFlags(const ParsedFlags& flags, std::initializer_list<std::string_view> names);

// CommandLineUtils.checkInvalidArgs: when `used` is given, none of `invalid` may be:
// InvalidArgument `Option "[used]" can't be used with option "[other]"`.
Status RejectCombination(const ParsedFlags& flags, std::string_view used,
                         std::initializer_list<std::string_view> invalid);

// How many of `names` were given (e.g. exactly one action).
int CountGiven(const ParsedFlags& flags, std::initializer_list<std::string_view> names);

}  // namespace sluice::tools
