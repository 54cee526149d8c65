// The learning curve: every `validation_seconds` the learner saves its current policy to
// RUN/policy-validation.pb and hands the file to a Validator on a thread of its own; the score
// (e.g. the greedy policy's geomean ratio vs -Oz on a fixed sample of the validation split) is
// written to metrics.jsonl and TensorBoard as `validation_geomean`, at the update count and
// training time when the policy was saved. The learner links no LLVM: the launcher injects the
// real Validator (a child `passrl optimize` on the validation split); tests inject their own.
// Score() runs on the learner's validation thread, one call at a time.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace passrl::learner {

class Validator {
 public:
  virtual ~Validator() = default;
  // Higher is better; an error is reported and that point of the curve is skipped.
  virtual absl::StatusOr<double> Score(const std::string& policy_file) = 0;
};

}  // namespace passrl::learner
