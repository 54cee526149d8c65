// A content-addressed on-disk cache: key -> bytes, one file per key, written atomically (temp file
// + rename) so concurrent processes (many actors on one node) never see a partial entry.
// Thread-safe and process-safe; a read of a missing or unreadable entry is a miss, not an error.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace passrl {

class FileCache {
 public:
  // `dir` is created on first Put. An empty dir disables the cache (every Get misses).
  explicit FileCache(std::string dir) : dir_(std::move(dir)) {}

  std::optional<std::string> Get(const std::string& key) const;
  absl::Status Put(const std::string& key, const std::string& bytes) const;
  const std::string& dir() const { return dir_; }

  // $PASSRL_CACHE_DIR, else $XDG_CACHE_HOME/passrl, else $HOME/.cache/passrl.
  static std::string DefaultDir();

 private:
  std::string dir_;
};

// Whole-file helpers with errors that name the path.
absl::Status ReadFileToString(const std::string& path, std::string* out);
absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace passrl
