#include "common/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace passrl {
namespace {

absl::Status ErrnoError(const std::string& path, const char* what, int err) {
  const std::string message = absl::StrCat(path, ": ", what, ": ", strerror(err));
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
    return absl::ResourceExhaustedError(absl::StrCat(message, " (disk full?)"));
  }
  if (err == EACCES || err == EPERM || err == EROFS) return absl::PermissionDeniedError(message);
  if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

std::string DirOf(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

absl::Status WriteFileDurably(const std::string& path, absl::string_view bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(path, "cannot create", errno);
  const char* p = bytes.data();
  size_t left = bytes.size();
  int err = 0;
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : ENOSPC;
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  const char* what = "write failed";
  if (err == 0 && fsync(fd) != 0) {
    err = errno;
    what = "fsync failed";
  }
  if (close(fd) != 0 && err == 0) {
    err = errno;
    what = "close failed";
  }
  if (err != 0) {
    unlink(path.c_str());
    return ErrnoError(path, what, err);
  }
  return absl::OkStatus();
}

absl::Status FsyncDirectory(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(dir, "cannot open directory", errno);
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  // Some filesystems (e.g. certain network mounts) refuse fsync on directories: not an error.
  if (rc != 0 && err != EINVAL && err != EROFS) return ErrnoError(dir, "fsync failed", err);
  return absl::OkStatus();
}

absl::Status ReplaceFileDurably(const std::string& path, absl::string_view bytes) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  absl::Status written = WriteFileDurably(tmp, bytes);
  if (!written.ok()) return written;
  return RenameDurably(tmp, path);
}

absl::Status RenameDurably(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) != 0) {
    const int err = errno;
    return ErrnoError(absl::StrCat(from, " -> ", to), "rename failed", err);
  }
  return FsyncDirectory(DirOf(to));
}

}  // namespace passrl
