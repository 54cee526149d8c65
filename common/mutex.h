// The mutex passrl's shared state is guarded by: std::mutex (pthreads underneath, which
// ThreadSanitizer understands; Debian's prebuilt absl::Mutex synchronises inside an
// uninstrumented library, so TSan would report every guarded access as a race) with Clang's
// thread-safety annotations, so members can be declared ABSL_GUARDED_BY(mu_).
#pragma once

#include <mutex>

#include "absl/base/thread_annotations.h"

namespace passrl {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace passrl
