// For tests of the commands that read a trained policy (eval, optimize): a run directory with
// one checkpoint of an untrained agent (a seeded random policy, hidden layer of 32) whose stored
// config has `episode_length` (an `action_space_hash` other than this build's makes a foreign
// run), and the built `passrl` run as a user runs it.
#pragma once

#include <string>
#include <vector>

#include "actors/observation.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "envs/compiler.h"
#include "gtest/gtest.h"
#include "launch/config.h"
#include "learner/checkpoint.h"
#include "learner/sac.h"

namespace passrl::testing {

inline void WriteUntrainedCheckpoint(const std::string& run, uint64_t action_space_hash,
                                     int episode_length, uint64_t policy_version = 9,
                                     envs::Compiler compiler = envs::Compiler::kLlvm) {
  const int obs_dim = actors::ObservationDim(compiler);
  const int num_actions = envs::SpecOf(compiler).num_actions();
  learner::SacOptions o;
  o.shape = {obs_dim, num_actions, {32}};
  o.use_cuda_if_available = false;
  o.seed = 5;
  auto agent = *learner::SacAgent::Create(o);
  auto store = learner::CheckpointStore::Open({run + "/checkpoints"});
  ASSERT_TRUE(store.ok()) << store.status();
  learner::CheckpointContents c;
  c.counters.policy_version = policy_version;
  c.spaces = {action_space_hash, num_actions, obs_dim, {32}};
  c.agent_state = *agent->SaveState();
  launch::TrainConfig config;
  config.actor.episode_length = episode_length;
  config.learner.sac.shape.hidden = {32};
  if (compiler == envs::Compiler::kMlir) {  // what a config for the graph task must say
    config.actor.compiler = config.worker.compiler = compiler;
    config.dataset = "mlir";
    config.worker.reward = "OpCountLog";
    config.validation.every_seconds = 0;
  }
  c.config_yaml = launch::DescribeConfig(config);
  ASSERT_TRUE(store->Write(c).ok());
}

// `passrl ARGS...` with a 10-minute limit; a failure to start at all fails the test.
inline SubprocessResult RunPassrl(std::vector<std::string> args) {
  args.insert(args.begin(), PASSRL_BINARY);
  SubprocessOptions options;
  options.timeout_seconds = 600;
  auto r = RunSubprocess(args, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : SubprocessResult{};
}

}  // namespace passrl::testing
