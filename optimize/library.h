// The sequence library: a few pass sequences, learned in training, that together serve many
// programs. `passrl library` distils it from a run's sequence pool (learner/sequence_pool.h, the
// best sequence per training benchmark): every candidate is scored on a sample of training
// programs, and a greedy cover picks, one at a time, the sequence that adds the most to the sum
// over programs of the best ratio vs -Oz any chosen sequence reaches (the ratio floored at 1, as
// -Oz is always available). The order is the greedy order, so a short budget tries the most
// useful first. `optimize` and `eval` read RUN/library.json. Plain data; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::optimize {

struct LibraryEntry {
  std::vector<int> actions;
  double added = 0;  // what it added to the cover when chosen (sum over programs of ratio gains)
};

struct SequenceLibrary {
  std::vector<LibraryEntry> entries;
  int programs = 0;           // training programs the cover was computed on
  double mean_best = 0;       // mean over them of the best ratio vs -Oz in the library (floor 1)
  std::string ToJson() const;  // actions by name
  // DataLoss for bad JSON; NotFound for an unknown action (a library of another action space).
  static absl::StatusOr<SequenceLibrary> FromJson(const std::string& text);
};

// ratio[c][p]: ratio vs -Oz that candidate c reaches on program p (<= 0: failed). Picks at most
// `max_size` candidates greedily by the gain they add to sum_p max(1, max over chosen ratio[c][p]);
// stops early when no candidate adds more than `min_gain`.
SequenceLibrary DistillLibrary(const std::vector<std::vector<int>>& candidates,
                               const std::vector<std::vector<double>>& ratio, int max_size,
                               double min_gain = 1e-9);

}  // namespace passrl::optimize
