#include "broker/tools/flags.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <sstream>

namespace sluice::tools {

namespace {

template <typename Int>
Result<Int> ParseInt(std::string_view name, const std::string& value) {
  Int parsed = 0;
  const char* begin = value.data();
  const char* end = value.data() + value.size();
  if (begin != end && *begin == '+') ++begin;  // Java's Integer.valueOf accepts "+3"
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (value.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument("Cannot parse argument '" + value + "' of option " +
                                   std::string(name) + ": not a number in range");
  }
  return parsed;
}

// Greedy word wrap of `text` into lines of at most `width` characters.
std::vector<std::string> Wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

bool ParsedFlags::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::optional<std::string> ParsedFlags::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedFlags::GetOr(std::string_view name, std::string fallback) const {
  auto value = Get(name);
  return value ? *value : std::move(fallback);
}

std::vector<std::string> ParsedFlags::GetAll(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<int32_t> ParsedFlags::GetInt32(std::string_view name, int32_t fallback) const {
  auto value = Get(name);
  if (!value) return fallback;
  return ParseInt<int32_t>(name, *value);
}

Result<int64_t> ParsedFlags::GetInt64(std::string_view name, int64_t fallback) const {
  auto value = Get(name);
  if (!value) return fallback;
  return ParseInt<int64_t>(name, *value);
}

FlagSet::FlagSet(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {
  Switch("help", "Print usage information.");
}

FlagSet& FlagSet::Switch(std::string name, std::string description) {
  return Add({std::move(name), Kind::kSwitch, "", std::move(description)});
}

FlagSet& FlagSet::Value(std::string name, std::string value_name, std::string description) {
  return Add({std::move(name), Kind::kValue, std::move(value_name), std::move(description)});
}

FlagSet& FlagSet::Repeated(std::string name, std::string value_name, std::string description) {
  return Add({std::move(name), Kind::kRepeated, std::move(value_name), std::move(description)});
}

FlagSet& FlagSet::Add(Spec spec) {
  // Redefining a flag replaces it (lets a tool reword --help's description).
  std::erase_if(specs_, [&](const Spec& s) { return s.name == spec.name; });
  specs_.push_back(std::move(spec));
  return *this;
}

Result<const FlagSet::Spec*> FlagSet::Resolve(std::string_view name) const {
  const Spec* prefix_match = nullptr;
  int prefix_matches = 0;
  for (const Spec& spec : specs_) {
    if (spec.name == name) return &spec;
    if (!name.empty() && spec.name.starts_with(name)) {
      prefix_match = &spec;
      ++prefix_matches;
    }
  }
  if (prefix_matches == 1) return prefix_match;
  if (prefix_matches > 1) {
    return Status::InvalidArgument("Option " + std::string(name) + " is ambiguous");
  }
  return Status::InvalidArgument(std::string(name) + " is not a recognized option");
}

Result<ParsedFlags> FlagSet::Parse(const std::vector<std::string>& args) const {
  ParsedFlags parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--") || arg.size() == 2) {
      // joptsimple treats "-x" as short options; our tools have none, so reject it by name.
      if (arg.starts_with("-") && arg.size() > 1) {
        return Status::InvalidArgument(arg.substr(arg.find_first_not_of('-')) +
                                       " is not a recognized option");
      }
      return Status::InvalidArgument("Found non-option argument '" + arg +
                                     "'; every argument must be a --flag (see --help)");
    }
    std::string_view body = std::string_view(arg).substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    auto spec = Resolve(body);
    if (!spec.ok()) return spec.status();
    const Spec& s = **spec;
    auto& values = parsed.values_[s.name];
    if (std::find(parsed.order_.begin(), parsed.order_.end(), s.name) == parsed.order_.end()) {
      parsed.order_.push_back(s.name);
    }
    if (s.kind == Kind::kSwitch) {
      if (inline_value) {
        return Status::InvalidArgument("Option " + s.name + " does not take an argument");
      }
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        return Status::InvalidArgument("Option " + s.name + " requires an argument");
      }
      inline_value = args[++i];
    }
    if (s.kind == Kind::kValue) values.clear();
    values.push_back(std::move(*inline_value));
  }
  return parsed;
}

void FlagSet::PrintHelp(std::ostream& out) const {
  constexpr size_t kOptionWidth = 40;
  constexpr size_t kDescriptionWidth = 50;
  out << summary_ << "\nUsage: " << program_ << " [options]\n";
  std::vector<const Spec*> sorted;
  for (const Spec& s : specs_) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const Spec* a, const Spec* b) { return a->name < b->name; });
  auto row = [&](const std::string& left, const std::string& right) {
    out << left;
    if (right.empty()) {
      out << "\n";
      return;
    }
    out << std::string(left.size() < kOptionWidth ? kOptionWidth - left.size() : 1, ' ')
        << right << "\n";
  };
  row("Option", "Description");
  row("------", "-----------");
  for (const Spec* s : sorted) {
    std::string left = "--" + s->name;
    if (s->kind != Kind::kSwitch) left += " <" + s->value_name + ">";
    std::vector<std::string> lines = Wrap(s->description, kDescriptionWidth);
    if (lines.empty()) lines.push_back("");
    if (left.size() >= kOptionWidth) {  // long option: description starts on the next line
      row(left, "");
      left.clear();
    }
    row(left, lines[0]);
    for (size_t i = 1; i < lines.size(); ++i) row("", "  " + lines[i]);
  }
}

int FlagSet::UsageError(std::string_view message) const {
  std::cerr << message << "\n";
  PrintHelp(std::cerr);
  return 1;
}

std::string QuoteFlag(std::string_view name) { return "\"[" + std::string(name) + "]\""; }

Status RequireFlags(const ParsedFlags& flags, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (!flags.Has(name)) {
      return Status::InvalidArgument("Missing required argument " + QuoteFlag(name));
    }
  }
  return Status::Ok();
}

Status RejectCombination(const ParsedFlags& flags, std::string_view used,
                         std::initializer_list<std::string_view> invalid) {
  if (!flags.Has(used)) return Status::Ok();
  for (std::string_view other : invalid) {
    if (other != used && flags.Has(other)) {
      return Status::InvalidArgument("Option " + QuoteFlag(used) + " can't be used with option " +
                                     QuoteFlag(other));
    }
  }
  return Status::Ok();
}

int CountGiven(const ParsedFlags& flags, std::initializer_list<std::string_view> names) {
  int n = 0;
  for (std::string_view name : names) n += flags.Has(name) ? 1 : 0;
  return n;
}

}  // namespace sluice::tools
