#include "broker/storage/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sluice::storage {

Status ErrnoStatus(std::string_view what, const std::filesystem::path& path, int err) {
  std::string message = std::string(what) + " " + path.string() + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  if (err == EEXIST) return Status::AlreadyExists(std::move(message));
  return Status::IoError(std::move(message));
}

Result<std::unique_ptr<PosixFile>> PosixFile::Open(const std::filesystem::path& path, Mode mode) {
  int flags = O_RDWR | O_CLOEXEC;
  if (mode == Mode::kCreate) flags |= O_CREAT;
  if (mode == Mode::kCreateExclusive) flags |= O_CREAT | O_EXCL;
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  return std::unique_ptr<PosixFile>(new PosixFile(path, fd));
}

PosixFile::~PosixFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<int64_t> PosixFile::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoStatus("fstat", path_, errno);
  return static_cast<int64_t>(st.st_size);
}

Result<size_t> PosixFile::ReadAt(int64_t position, std::span<uint8_t> buf) const {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd_, buf.data() + done, buf.size() - done,
                        static_cast<off_t>(position + static_cast<int64_t>(done)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path_, errno);
    }
    if (n == 0) break;  // end of file
    done += static_cast<size_t>(n);
  }
  return done;
}

Status PosixFile::WriteAt(int64_t position, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                         static_cast<off_t>(position + static_cast<int64_t>(done)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path_, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status PosixFile::Truncate(int64_t size) {
  int rc;
  do {
    rc = ::ftruncate(fd_, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return ErrnoStatus("truncate", path_, errno);
  return Status::Ok();
}

Status PosixFile::Sync() {
  if (::fdatasync(fd_) != 0) return ErrnoStatus("fsync", path_, errno);
  return Status::Ok();
}

Status PosixFile::Rename(const std::filesystem::path& to) {
  if (::rename(path_.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", path_, errno);
  path_ = to;
  return Status::Ok();
}

Status PosixFile::Close() {
  if (fd_ < 0) return Status::Ok();
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return ErrnoStatus("close", path_, errno);
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync directory", dir, err);
  return Status::Ok();
}

Status WriteFileAtomically(const std::filesystem::path& path, std::span<const uint8_t> contents) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    auto file = PosixFile::Open(tmp, PosixFile::Mode::kCreate);
    if (!file.ok()) return file.status();
    SLUICE_RETURN_IF_ERROR((*file)->Truncate(0));
    SLUICE_RETURN_IF_ERROR((*file)->WriteAt(0, contents));
    SLUICE_RETURN_IF_ERROR((*file)->Sync());
    SLUICE_RETURN_IF_ERROR((*file)->Close());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename", tmp, errno);
  return SyncDirectory(path.parent_path().empty() ? std::filesystem::path(".")
                                                  : path.parent_path());
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  auto file = PosixFile::Open(path, PosixFile::Mode::kOpenExisting);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  std::string contents(static_cast<size_t>(*size), '\0');
  auto n = (*file)->ReadAt(
      0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(contents.data()), contents.size()));
  if (!n.ok()) return n.status();
  contents.resize(*n);
  return contents;
}

}  // namespace sluice::storage
