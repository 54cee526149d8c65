// The learner's learning-curve validator (learner/validator.h) as `passrl train` runs it: a child
// `passrl optimize --compilations 1 --no-library` (the greedy policy alone, one rollout per
// program, each in an env worker) on a fixed sample of the validation split; the score is the
// geomean over those programs of -Oz's instructions / the rollout's. For the MLIR task the child
// is `passrl eval --rollouts 1` and the score the geomean of the reference's ops / the greedy
// rollout's. A crash or hang of the child costs that point of the curve, not the training run.
// Thread-compatible (one call at a time).
#pragma once

#include <string>

#include "envs/compiler.h"
#include "envs/dataset.h"
#include "learner/validator.h"

namespace passrl::launch {

struct ValidationOptions {
  double every_seconds = 300;  // learner::LearnerOptions::validation_seconds; 0: no curve
  std::string dataset;         // empty: the training dataset (a mix's first entry)
  std::string split = "validation";
  int sample = 30;             // programs, a stable sample (the same at every point)
  double timeout_seconds = 900;
  envs::Compiler compiler = envs::Compiler::kLlvm;  // env.compiler (not a validation.* key)
  absl::Status Validate() const;
};

class ChildValidator : public learner::Validator {
 public:
  ChildValidator(ValidationOptions options, envs::DatasetOptions dataset, std::string scratch)
      : options_(std::move(options)), dataset_(std::move(dataset)), scratch_(std::move(scratch)) {}
  absl::StatusOr<double> Score(const std::string& policy_file) override;

 private:
  ValidationOptions options_;
  envs::DatasetOptions dataset_;
  std::string scratch_;  // the run directory: where the child's JSON goes
};

}  // namespace passrl::launch
