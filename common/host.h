// This machine's hostname (what actors report and what the learner advertises to them), and the
// path of the running binary (what child `passrl` processes are started from).
#pragma once

#include <unistd.h>

#include <string>

namespace passrl {

inline std::string Hostname() {
  char name[256] = {0};
  gethostname(name, sizeof name - 1);
  return name;
}

inline std::string SelfExecutable() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : "/proc/self/exe";
}

}  // namespace passrl
