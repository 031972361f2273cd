#include "broker/config/properties_file.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "broker/config/config_values.h"

namespace sluice::config {

namespace {

// PropertyFileConfiguration keeps its entries in a map it only exposes to subclasses; this
// subclass hands them out verbatim (AbstractConfiguration's own accessors split keys at dots
// and expand ${...}, neither of which Kafka does).
class EnumerablePropertyFile : public Poco::Util::PropertyFileConfiguration {
 public:
  std::map<std::string, std::string> Entries() const { return {begin(), end()}; }

 protected:
  ~EnumerablePropertyFile() override = default;
};

// Joins continuation lines the way java.util.Properties does: a line ending in an odd number
// of backslashes continues on the next line, whose leading whitespace is dropped. POCO keeps
// that whitespace, so a list continued on an indented line would keep the spaces. Comment lines
// never continue.
std::string JoinContinuations(std::istream& in) {
  std::string out, line;
  bool continuing = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t\f");
    if (continuing) {
      line = first == std::string::npos ? "" : line.substr(first);
    } else if (first != std::string::npos && (line[first] == '#' || line[first] == '!')) {
      out += line + "\n";
      continue;
    }
    size_t backslashes = 0;
    while (backslashes < line.size() && line[line.size() - 1 - backslashes] == '\\') {
      ++backslashes;
    }
    continuing = backslashes % 2 == 1;
    if (continuing) line.pop_back();
    out += line;
    if (!continuing) out += "\n";
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> ReadPropertiesFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound("configuration file " + path + " does not exist");
  }
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read configuration file " + path);
  try {
    std::istringstream joined(JoinContinuations(in));
    Poco::AutoPtr<EnumerablePropertyFile> file(new EnumerablePropertyFile());
    file->load(joined);
    return file->Entries();
  } catch (const Poco::Exception& e) {
    return Status::IoError("cannot read configuration file " + path + ": " + e.displayText());
  }
}

Result<std::pair<std::string, std::string>> ParseOverride(const std::string& arg) {
  size_t eq = arg.find('=');
  std::string key = eq == std::string::npos ? "" : Trim(arg.substr(0, eq));
  if (key.empty()) {
    return Status::InvalidArgument("Invalid override '" + arg + "': expected key=value");
  }
  return std::make_pair(key, Trim(arg.substr(eq + 1)));
}

}  // namespace sluice::config
