// A file descriptor with positional I/O whose failures come back as Status values.
//
// Every method is a thin wrapper over one POSIX call (retrying EINTR and short transfers), so the
// failure modes are the kernel's: ENOSPC, EFBIG and EIO become Status::IoError naming the file.
// Thread safety: pread/pwrite are safe to call concurrently on distinct ranges; the caller
// serialises writes that must be ordered and anything that changes the size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "libs/base/status.h"

namespace sluice::storage {

class PosixFile {
 public:
  enum class Mode {
    kOpenExisting,    // fail with NotFound if the file is missing
    kCreate,          // create if missing, keep contents otherwise
    kCreateExclusive  // fail with AlreadyExists if present
  };

  static Result<std::unique_ptr<PosixFile>> Open(const std::filesystem::path& path, Mode mode);
  ~PosixFile();
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_; }

  Result<int64_t> Size() const;
  // Reads up to buf.size() bytes at `position`; fewer only at end of file.
  Result<size_t> ReadAt(int64_t position, std::span<uint8_t> buf) const;
  // Writes all of `data` at `position` or fails; on failure some prefix may have been written.
  Status WriteAt(int64_t position, std::span<const uint8_t> data);
  Status Truncate(int64_t size);
  Status Sync();
  // Renames the file; the descriptor stays valid and path() follows it.
  Status Rename(const std::filesystem::path& to);
  Status Close();

 private:
  PosixFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_;
};

// fsync of a directory, so that creations, renames and deletions inside it are durable.
Status SyncDirectory(const std::filesystem::path& dir);

// Writes `contents` to `path` atomically: write <path>.tmp, fsync it, rename over `path`, fsync
// the directory. A crash leaves either the old file or the new one, never a mixture.
Status WriteFileAtomically(const std::filesystem::path& path, std::span<const uint8_t> contents);

// Reads a whole (small) file.
Result<std::string> ReadSmallFile(const std::filesystem::path& path);

// Status for a failed system call: IoError "<what> <path>: <strerror>".
Status ErrnoStatus(std::string_view what, const std::filesystem::path& path, int err);

}  // namespace sluice::storage
