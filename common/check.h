// CHECK for programming errors (broken invariants): prints file:line and the condition, aborts.
// Expected failures (bad input, missing files) return absl::Status instead.
#pragma once

#include <cstdio>
#include <cstdlib>

#define PASSRL_CHECK(cond)                                                          \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
