// Stable 64-bit FNV-1a hashing: identical across runs, machines and builds, so it can key on-disk
// caches and checkpoint compatibility checks. Not cryptographic.
#pragma once

#include <cstdint>
#include "absl/strings/string_view.h"

namespace passrl {

inline constexpr uint64_t kFnvOffset = 14695981039346656037ull;

// Folds `bytes` into `seed` (pass a previous result to hash several pieces in sequence).
inline uint64_t Fnv1a64(absl::string_view bytes, uint64_t seed = kFnvOffset) {
  uint64_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace passrl
