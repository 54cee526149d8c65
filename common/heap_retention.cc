#include "common/heap_retention.h"

#include <malloc.h>

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"

namespace passrl {

absl::Status RetainFreedHeap(size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  constexpr size_t kMmapThresholdCap = size_t{32} << 20;  // glibc: HEAP_MAX_SIZE / 2 on 64-bit
  const size_t trim = std::min<size_t>(bytes, INT_MAX);
  const size_t mmap = std::min(trim, kMmapThresholdCap);
  if (mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim)) != 1) {
    return absl::InternalError(absl::StrCat("mallopt(M_TRIM_THRESHOLD, ", trim, ") refused"));
  }
  if (mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap)) != 1) {
    return absl::InternalError(absl::StrCat("mallopt(M_MMAP_THRESHOLD, ", mmap, ") refused"));
  }
  return absl::OkStatus();
}

}  // namespace passrl
