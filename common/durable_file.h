// Writes that survive a crash or power loss at any moment: data is fsynced before it is renamed
// into place, and the directory is fsynced after the rename. Errors name the path and the cause
// (ENOSPC is ResourceExhausted: "disk full"), and a failed write leaves no partial file behind.
// Used by checkpoints and replay snapshots. Thread-safe (no shared state).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace passrl {

// Creates or truncates `path`, writes `bytes`, fsyncs. On failure the file is removed.
absl::Status WriteFileDurably(const std::string& path, absl::string_view bytes);
// Makes a completed rename or file creation in `dir` durable.
absl::Status FsyncDirectory(const std::string& dir);
// Atomically replaces `path` (temp file in the same directory, fsync, rename, fsync directory):
// readers see the old contents or the new, never a mix.
absl::Status ReplaceFileDurably(const std::string& path, absl::string_view bytes);
// rename(2) then fsync of the target's directory. `to` must not be a non-empty directory.
absl::Status RenameDurably(const std::string& from, const std::string& to);

}  // namespace passrl
