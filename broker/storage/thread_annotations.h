// Clang thread-safety annotations and the small annotated mutex types storage uses.
//
// Under clang (-Wthread-safety) the lock requirements written below are checked at compile time;
// under g++ the macros expand to nothing and remain documentation. std::mutex is not annotated
// in libstdc++, hence the thin wrappers.
#pragma once

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define SLUICE_TSA(x) __attribute__((x))
#else
#define SLUICE_TSA(x)
#endif

#define SLUICE_CAPABILITY(x) SLUICE_TSA(capability(x))
#define SLUICE_SCOPED_CAPABILITY SLUICE_TSA(scoped_lockable)
#define SLUICE_GUARDED_BY(x) SLUICE_TSA(guarded_by(x))
#define SLUICE_REQUIRES(...) SLUICE_TSA(requires_capability(__VA_ARGS__))
#define SLUICE_REQUIRES_SHARED(...) SLUICE_TSA(requires_shared_capability(__VA_ARGS__))
#define SLUICE_EXCLUDES(...) SLUICE_TSA(locks_excluded(__VA_ARGS__))
#define SLUICE_ACQUIRE(...) SLUICE_TSA(acquire_capability(__VA_ARGS__))
#define SLUICE_ACQUIRE_SHARED(...) SLUICE_TSA(acquire_shared_capability(__VA_ARGS__))
#define SLUICE_RELEASE(...) SLUICE_TSA(release_capability(__VA_ARGS__))
#define SLUICE_RELEASE_SHARED(...) SLUICE_TSA(release_shared_capability(__VA_ARGS__))
#define SLUICE_RELEASE_GENERIC(...) SLUICE_TSA(release_generic_capability(__VA_ARGS__))

namespace sluice::storage {

// A reader/writer mutex that clang's analysis understands.
class SLUICE_CAPABILITY("mutex") SharedMutex {
 public:
  void Lock() SLUICE_ACQUIRE() { mu_.lock(); }
  void Unlock() SLUICE_RELEASE() { mu_.unlock(); }
  void LockShared() SLUICE_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() SLUICE_RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Exclusive lock for the lifetime of the scope.
class SLUICE_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) SLUICE_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() SLUICE_RELEASE() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Shared lock for the lifetime of the scope.
class SLUICE_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) SLUICE_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.LockShared(); }
  ~ReaderLock() SLUICE_RELEASE_GENERIC() { mu_.UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

// A plain mutex that clang's analysis understands.
class SLUICE_CAPABILITY("mutex") Mutex {
 public:
  void Lock() SLUICE_ACQUIRE() { mu_.lock(); }
  void Unlock() SLUICE_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class SLUICE_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) SLUICE_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() SLUICE_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace sluice::storage
