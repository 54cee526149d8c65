// The training run's configuration: a YAML file (cluster_configs/*.yaml) plus `--set key=value`
// overrides. Every option has one entry in the table in config.cc (name, target, help), which is
// also what `passrl train --print-config` prints. Unknown keys and unparsable values are errors
// naming the key and the file. Plain data (no LibTorch), so it is cheap to include.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::launch {

struct TrainConfig {
  // run
  std::string run_dir = "runs/local";
  double duration_seconds = 120;
  uint64_t seed = 1;
  double snapshot_seconds = 900;
  // checkpoint
  double checkpoint_every_seconds = 1800;
  int64_t checkpoint_every_updates = 0;
  int checkpoint_keep = 3;
  int64_t checkpoint_chunk_transitions = 65536;
  // security
  std::string curve_dir;  // CurveZMQ keys (passrl keys generate); empty: off
  std::string actor_key = "actor.key";
  // dataset
  std::string dataset = "bundled";
  std::vector<std::string> benchmarks;  // subset of the dataset; empty: all of it
  // env
  int episode_length = 24;
  std::string horizon = "terminal";  // actors/observation.h
  std::string reward = "IrInstructionCountNorm";
  double step_timeout_seconds = 60;
  bool isolate = true;  // env worker subprocess per actor
  double crash_penalty = -1.0;
  // actor
  int batch_transitions = 32;
  double heartbeat_seconds = 2;
  bool pin = true;
  double learner_lost_seconds = 300;
  // learner
  std::string host;  // address actors connect to; empty: the learner's hostname
  int port = 0, weights_port = 0;
  int batch_size = 256;
  int64_t warmup_transitions = 1000;
  double samples_per_insert = 8;
  int publish_every = 50;
  double heartbeat_timeout_seconds = 30;
  bool use_cuda = true;
  // replay
  int64_t replay_capacity = 500000;
  bool prioritized = false;
  // sac
  double gamma = 0.9, tau = 0.005, learning_rate = 3e-4, alpha_learning_rate = 3e-4;
  double initial_alpha = 0.2, target_entropy_ratio = 0.5, reward_scale = 1.0, grad_clip = 10.0;
  std::vector<int> hidden = {256, 256};

  // Each value alone, then CheckPairs.
  absl::Status Validate() const;
  // Pairs that cannot work together (warmup beyond capacity, batch beyond warmup, ...), each
  // error one line naming both keys.
  absl::Status CheckPairs() const;
};

// Reads `path` (empty: defaults only), then applies "key=value" overrides.
absl::StatusOr<TrainConfig> LoadTrainConfig(const std::string& path,
                                            const std::vector<std::string>& overrides = {});
// As LoadTrainConfig, from YAML `text` (e.g. a checkpoint's copy); `where` names it in errors.
absl::StatusOr<TrainConfig> ParseTrainConfig(const std::string& where, const std::string& text,
                                             const std::vector<std::string>& overrides = {});
// The resolved configuration as YAML, every key with its help text.
std::string DescribeConfig(const TrainConfig& config);

}  // namespace passrl::launch
