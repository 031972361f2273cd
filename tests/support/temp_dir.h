// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
#pragma once

#include <string>
#include <string_view>

namespace sluice::test {

class TempDir {
 public:
  // Creates "<tmp>/<prefix>-XXXXXX". Aborts the test binary if the OS refuses (nothing to test).
  explicit TempDir(std::string_view prefix = "sluice-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string Child(std::string_view name) const;

 private:
  std::string path_;
};

}  // namespace sluice::test
