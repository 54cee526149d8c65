// This machine's hostname (what actors report and what the learner advertises to them).
#pragma once

#include <unistd.h>

#include <string>

namespace passrl {

inline std::string Hostname() {
  char name[256] = {0};
  gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace passrl
