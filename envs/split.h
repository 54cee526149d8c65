// Train/validation/test splits: which benchmarks an agent may learn from, tune on, and be judged
// on. Every dataset assigns each benchmark to exactly one split, deterministically:
//
//   bundled  all train (32 hand-written programs: too few to split; held-out judgement uses the
//            other datasets)
//   csmith   by seed range (CsmithSplitRange)
//   debian   by source package, from the reviewed file datasets/debian/packages.tsv; a package not
//            in it by a stable hash of its name
//   folder   by a stable hash of the file name (HashSplit)
//
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace passrl::envs {

enum class Split { kAll, kTrain, kValidation, kTest };

// "all", "train", "validation" (or "valid"), "test".
absl::StatusOr<Split> ParseSplit(absl::string_view text);
const char* SplitName(Split split);
// Whether a benchmark assigned to `assigned` belongs to the listing of `wanted`.
inline bool InSplit(Split assigned, Split wanted) {
  return wanted == Split::kAll || assigned == wanted;
}

// 80% train, 10% validation, 10% test by FNV-1a of `key` (a file or package name): the same key
// always gets the same split, on every machine.
Split HashSplit(absl::string_view key);

// The csmith seeds of a split, inclusive: test 1-1000, validation 1001-2000, train from 2001.
// (Seeds 1-20 were the held-out programs of every earlier measurement; they stay in test.)
std::pair<uint64_t, uint64_t> CsmithSplitRange(Split split);
Split CsmithSplitOf(uint64_t seed);

// `n` of `names` chosen by a stable hash of each name (the same names give the same sample on
// every machine; spread over packages and seeds alike), in their original order; all if n <= 0
// or n >= names.size().
std::vector<std::string> SampleNames(const std::vector<std::string>& names, int n);

}  // namespace passrl::envs
