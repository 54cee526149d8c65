// The training run's configuration: a YAML file (cluster_configs/*.yaml) plus `--set key=value`
// overrides. Every option has one entry in the table in config.cc (name, target, help), which is
// also what `passrl train --print-config` prints. Unknown keys and unparsable values are errors
// naming the key and the file. Plain data without LibTorch (the actors' options bring ZeroMQ and
// protobuf headers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "actors/actor.h"
#include "actors/env_client.h"
#include "launch/child_validator.h"
#include "learner/learner_options.h"

namespace passrl::launch {

// Composed of the components' own options (one default each, in their headers), plus what only
// the launcher uses. Fields a run fills in at start (shapes, endpoints, ids, seeds per rank) are
// not configurable and stay at their defaults here.
struct TrainConfig {
  learner::LearnerOptions learner;  // run.dir/duration/snapshot, checkpoint.*, learner.*, replay.*,
                                    // sac.*, security.curve_dir
  actors::ActorOptions actor;       // env.episode_length/horizon/crash_penalty, actor.*
  actors::WorkerOptions worker;     // env.reward, env.step_timeout_seconds
  ValidationOptions validation;     // validation.*: the learning curve
  // The launcher's own.
  uint64_t seed = 1;                 // networks, replay and actors (actor i uses seed + i)
  std::string actor_key = "actor.key";  // in learner.curve_dir
  std::string dataset = "bundled";
  std::string split = "train";          // of `dataset` (envs/split.h)
  std::vector<std::string> benchmarks;  // subset of the dataset; empty: all of it
  // A weighted mix instead of dataset/split: "dataset:split:weight" entries, e.g.
  // ["debian:train:3", "bundled:train:1"]; an episode picks an entry by weight, then one of its
  // benchmarks uniformly.
  std::vector<std::string> mix;
  std::string action_set = "all";       // envs::ActionSet by name
  bool isolate = true;                  // env worker subprocess per actor
  bool pin = true;
  bool relay_weights = true;  // the first actor on each node relays weights to the others (ipc)
  std::string host;  // address actors connect to; empty: the learner's hostname

  // validation.dataset, or the training dataset (a mix's first entry).
  std::string ValidationDataset() const;
  // The learner's options with what this build defines filled in (network and replay shapes).
  learner::LearnerOptions LearnerForThisBuild() const;
  // Each value alone (the components' Validate), then CheckPairs.
  absl::Status Validate() const;
  // Pairs that cannot work together (warmup beyond capacity, batch beyond warmup, ...), each
  // error one line naming both keys.
  absl::Status CheckPairs() const;
};

// One entry of dataset.mix.
struct MixEntry {
  std::string dataset, split;
  double weight = 1;
};
// "dataset:split:weight" (the dataset may itself hold ':' only if it is a folder path without
// one); errors name the entry.
absl::StatusOr<MixEntry> ParseMixEntry(const std::string& text);
// The entries training draws from: dataset.mix, or dataset.name/dataset.split with weight 1.
absl::StatusOr<std::vector<MixEntry>> TrainingMix(const TrainConfig& config);

// Reads `path` (empty: defaults only), then applies "key=value" overrides.
absl::StatusOr<TrainConfig> LoadTrainConfig(const std::string& path,
                                            const std::vector<std::string>& overrides = {});
// As LoadTrainConfig, from YAML `text` (e.g. a checkpoint's copy); `where` names it in errors.
absl::StatusOr<TrainConfig> ParseTrainConfig(const std::string& where, const std::string& text,
                                             const std::vector<std::string>& overrides = {});
// The resolved configuration as YAML, every key with its help text.
std::string DescribeConfig(const TrainConfig& config);

}  // namespace passrl::launch
