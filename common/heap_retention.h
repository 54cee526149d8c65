// Keeping freed heap memory in the process, for loops that allocate and free the same large
// buffers over and over (the learner's SAC update: LibTorch allocates each activation and
// gradient, hundreds of KiB at batch 256, and frees it within the update). With glibc's
// defaults such blocks are mmapped or trimmed back to the kernel when freed, so every update
// faults in fresh zeroed pages: measured, 11% of a CPU update's time was in the kernel.
// RetainFreedHeap serves blocks below `bytes` (at most 32 MiB, glibc's cap) from the heap and
// trims it only when more than `bytes` lie free at its top: resident memory may stay up to
// `bytes` above what is in use. Process-wide and thread-safe (mallopt takes the allocator's lock);
// the learner calls it once, as it starts.
#pragma once

#include <cstddef>

#include "absl/status/status.h"

namespace passrl {

// `bytes` 0 leaves glibc's defaults. Fails (naming the setting) where the C library refuses.
absl::Status RetainFreedHeap(size_t bytes);

}  // namespace passrl
