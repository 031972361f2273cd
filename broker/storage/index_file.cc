#include "broker/storage/index_file.h"

#include <sys/mman.h>

#include <cassert>
#include <cerrno>

namespace sluice::storage {

Result<std::unique_ptr<IndexFile>> IndexFile::Open(const std::filesystem::path& path,
                                                   size_t entry_size, int64_t max_bytes) {
  assert(entry_size > 0);
  bool existed = std::filesystem::exists(path);
  auto file = PosixFile::Open(path, PosixFile::Mode::kCreate);
  if (!file.ok()) return file.status();
  std::unique_ptr<IndexFile> index(new IndexFile(std::move(*file), entry_size));
  auto size = index->file_->Size();
  if (!size.ok()) return size.status();
  int64_t bytes = *size;
  if (!existed || bytes == 0) {
    bytes = max_bytes - max_bytes % static_cast<int64_t>(entry_size);
    SLUICE_RETURN_IF_ERROR(index->file_->Truncate(bytes));
    index->entries_ = 0;
  } else {
    index->entries_ = static_cast<size_t>(bytes) / entry_size;
  }
  SLUICE_RETURN_IF_ERROR(index->Map(bytes));
  return index;
}

IndexFile::~IndexFile() { Unmap(); }

std::span<const uint8_t> IndexFile::Entry(size_t i) const {
  assert(i < entries_);
  return {map_ + i * entry_size_, entry_size_};
}

Status IndexFile::Append(std::span<const uint8_t> entry) {
  assert(entry.size() == entry_size_);
  if (IsFull()) return Status::Internal("append to a full index " + path().string());
  SLUICE_RETURN_IF_ERROR(file_->WriteAt(static_cast<int64_t>(entries_ * entry_size_), entry));
  ++entries_;
  return Status::Ok();
}

void IndexFile::TruncateToEntries(size_t n) {
  assert(n <= entries_);
  entries_ = n;
}

Status IndexFile::Resize(int64_t bytes) {
  bytes -= bytes % static_cast<int64_t>(entry_size_);
  if (static_cast<size_t>(bytes) == capacity_bytes_) return Status::Ok();
  // Unmap before shrinking: touching a mapped page past end of file raises SIGBUS.
  Unmap();
  Status truncated = file_->Truncate(bytes);
  if (!truncated.ok()) {
    // Keep the old mapping usable: the length did not change.
    Status remapped = Map(static_cast<int64_t>(capacity_bytes_));
    return remapped.ok() ? truncated : remapped;
  }
  if (entries_ * entry_size_ > static_cast<size_t>(bytes)) {
    entries_ = static_cast<size_t>(bytes) / entry_size_;
  }
  return Map(bytes);
}

Status IndexFile::Map(int64_t bytes) {
  capacity_bytes_ = static_cast<size_t>(bytes);
  if (bytes == 0) {
    map_ = nullptr;
    return Status::Ok();
  }
  void* p = ::mmap(nullptr, capacity_bytes_, PROT_READ, MAP_SHARED, file_->fd(), 0);
  if (p == MAP_FAILED) {
    map_ = nullptr;
    capacity_bytes_ = 0;
    entries_ = 0;
    return ErrnoStatus("mmap", path(), errno);
  }
  map_ = static_cast<const uint8_t*>(p);
  return Status::Ok();
}

void IndexFile::Unmap() {
  if (map_ != nullptr) ::munmap(const_cast<uint8_t*>(map_), capacity_bytes_);
  map_ = nullptr;
}

}  // namespace sluice::storage
