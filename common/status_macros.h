// Early-return helpers for absl::Status / absl::StatusOr, used across passrl.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PASSRL_CONCAT_INNER(a, b) a##b
#define PASSRL_CONCAT(a, b) PASSRL_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define PASSRL_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status passrl_status_ = (expr);          \
    if (!passrl_status_.ok()) return passrl_status_; \
  } while (0)

// `PASSRL_ASSIGN_OR_RETURN(auto x, F())` assigns the value of a StatusOr or returns its status.
#define PASSRL_ASSIGN_OR_RETURN(lhs, expr) \
  PASSRL_ASSIGN_OR_RETURN_IMPL(PASSRL_CONCAT(passrl_statusor_, __LINE__), lhs, expr)
#define PASSRL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
