#include "common/file_cache.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace passrl {

absl::Status ReadFileToString(const std::string& path, std::string* out) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, expected a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open: ", strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  static std::atomic<int> counter{0};
  std::error_code ec;
  std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  std::string tmp = absl::StrCat(path, ".tmp.", getpid(), ".", counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write: ", strerror(errno)));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return absl::ResourceExhaustedError(absl::StrCat(path, ": write failed: ", strerror(errno)));
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return absl::InternalError(absl::StrCat(path, ": rename failed: ", ec.message()));
  }
  return absl::OkStatus();
}

std::optional<std::string> FileCache::Get(const std::string& key) const {
  if (dir_.empty()) return std::nullopt;
  std::string bytes;
  if (!ReadFileToString(absl::StrCat(dir_, "/", key), &bytes).ok()) return std::nullopt;
  return bytes;
}

absl::Status FileCache::Put(const std::string& key, const std::string& bytes) const {
  if (dir_.empty()) return absl::OkStatus();
  return WriteFileAtomically(absl::StrCat(dir_, "/", key), bytes);
}

std::string FileCache::DefaultDir() {
  if (const char* dir = getenv("PASSRL_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg) return absl::StrCat(xdg, "/passrl");
  if (const char* home = getenv("HOME"); home && *home) return absl::StrCat(home, "/.cache/passrl");
  return "/tmp/passrl-cache";
}

}  // namespace passrl
