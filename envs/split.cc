#include "envs/split.h"

#include <algorithm>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/hash.h"

namespace passrl::envs {

absl::StatusOr<Split> ParseSplit(absl::string_view text) {
  if (text == "all") return Split::kAll;
  if (text == "train") return Split::kTrain;
  if (text == "validation" || text == "valid") return Split::kValidation;
  if (text == "test") return Split::kTest;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown split '", text, "' (expected train, validation, test or all)"));
}

const char* SplitName(Split split) {
  switch (split) {
    case Split::kAll: return "all";
    case Split::kTrain: return "train";
    case Split::kValidation: return "validation";
    case Split::kTest: return "test";
  }
  return "?";
}

Split HashSplit(absl::string_view key) {
  const uint64_t bucket = Fnv1a64(key) % 10;
  return bucket < 8 ? Split::kTrain : bucket == 8 ? Split::kValidation : Split::kTest;
}

std::pair<uint64_t, uint64_t> CsmithSplitRange(Split split) {
  switch (split) {
    case Split::kTest: return {1, 1000};
    case Split::kValidation: return {1001, 2000};
    case Split::kTrain: return {2001, std::numeric_limits<uint64_t>::max()};
    case Split::kAll: break;
  }
  return {1, std::numeric_limits<uint64_t>::max()};
}

Split CsmithSplitOf(uint64_t seed) {
  return seed <= 1000 ? Split::kTest : seed <= 2000 ? Split::kValidation : Split::kTrain;
}

std::vector<std::string> SampleNames(const std::vector<std::string>& names, int n) {
  if (n <= 0 || static_cast<size_t>(n) >= names.size()) return names;
  std::vector<std::pair<uint64_t, std::string>> keyed;
  for (const std::string& name : names) keyed.push_back({Fnv1a64(name), name});
  std::sort(keyed.begin(), keyed.end());
  std::set<std::string> chosen;
  for (int i = 0; i < n; ++i) chosen.insert(keyed[i].second);
  std::vector<std::string> sample;
  for (const std::string& name : names) {
    if (chosen.count(name)) sample.push_back(name);
  }
  return sample;
}

}  // namespace passrl::envs
