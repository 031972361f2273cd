// The mechanics shared by the offset index and the time index: a file of fixed-size entries.
//
// Why pwrite for appends and a read-only mmap for lookups (and not a writable mmap as Kafka
// uses): the file is preallocated sparse to segment.index.bytes (10 MiB), so its blocks are only
// allocated when first written. Storing into a shared writable mapping on a full disk raises
// SIGBUS, which would kill the broker; pwrite reports ENOSPC as an error instead, which we turn
// into Status::IoError. Lookups read the same pages through the mapping (Linux has one page
// cache, so pwrite data is visible immediately), so a binary search costs no system calls and an
// idle segment's index costs no memory until it is searched.
//
// Thread safety: none; the owning LogSegment is externally synchronised (the Log's lock).
// Lookups may run concurrently with each other, not with Append/Truncate/Resize.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "broker/storage/posix_file.h"
#include "libs/base/status.h"

namespace sluice::storage {

class IndexFile {
 public:
  // Opens `path`, creating it when missing. A new file is preallocated to `max_bytes` rounded
  // down to a whole number of entries and starts empty. An existing file is taken as is: its
  // entry count is its size / entry_size (a file that was not trimmed after a crash therefore
  // reports trailing zero entries; the index sanity checks catch those).
  static Result<std::unique_ptr<IndexFile>> Open(const std::filesystem::path& path,
                                                 size_t entry_size, int64_t max_bytes);
  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  const std::filesystem::path& path() const { return file_->path(); }
  size_t entry_size() const { return entry_size_; }
  size_t entries() const { return entries_; }
  size_t max_entries() const { return capacity_bytes_ / entry_size_; }
  bool IsFull() const { return entries_ >= max_entries(); }
  // Bytes of entry i. REQUIRES: i < entries().
  std::span<const uint8_t> Entry(size_t i) const;

  // Appends one entry. REQUIRES: entry.size() == entry_size(), !IsFull().
  Status Append(std::span<const uint8_t> entry);
  // Forgets entries from n on. REQUIRES: n <= entries().
  void TruncateToEntries(size_t n);
  // Changes the file length to `bytes` (rounded down to whole entries) and remaps it; entries
  // beyond the new length are dropped. Used to trim on roll/close and to regrow on reactivation.
  Status Resize(int64_t bytes);
  Status TrimToValidSize() { return Resize(static_cast<int64_t>(entries_ * entry_size_)); }
  Status Sync() { return file_->Sync(); }
  Status Rename(const std::filesystem::path& to) { return file_->Rename(to); }

 private:
  IndexFile(std::unique_ptr<PosixFile> file, size_t entry_size)
      : file_(std::move(file)), entry_size_(entry_size) {}
  Status Map(int64_t bytes);
  void Unmap();

  std::unique_ptr<PosixFile> file_;
  size_t entry_size_;
  size_t entries_ = 0;
  size_t capacity_bytes_ = 0;  // file length, a multiple of entry_size_
  const uint8_t* map_ = nullptr;
};

// Big-endian helpers shared by the index formats.
inline void PutBigEndian32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void PutBigEndian64(uint8_t* p, uint64_t v) {
  PutBigEndian32(p, static_cast<uint32_t>(v >> 32));
  PutBigEndian32(p + 4, static_cast<uint32_t>(v));
}
inline uint32_t GetBigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t GetBigEndian64(const uint8_t* p) {
  return (uint64_t{GetBigEndian32(p)} << 32) | GetBigEndian32(p + 4);
}

}  // namespace sluice::storage
