// The prefix cache (actors/prefix_cache.h) and the in-process client that uses it: fewer passes
// run when candidates share prefixes, hits serve exactly what was computed, memory bounded, and
// (on nqueens, where restored names change nothing) the same outcomes as stepping every pass.
#include "actors/prefix_cache.h"

#include <functional>
#include <map>
#include <random>

#include "actors/env_client.h"
#include "envs/action_space.h"
#include "envs/dataset.h"
#include "envs/llvm_env.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::actors {
namespace {

std::unique_ptr<InProcessEnvClient> Client(size_t cache_bytes) {
  auto client = InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                           envs::RewardSpace::kIrInstructionCountLog);
  EXPECT_TRUE(client.ok()) << client.status();
  if (cache_bytes > 0) {
    EXPECT_TRUE((*client)->EnablePrefixCache(cache_bytes).ok());
  }
  return *std::move(client);
}

// What optimize evaluates: a random sequence, then mutations of it (one action replaced,
// inserted or deleted) and its prefixes.
std::vector<std::vector<int>> Candidates(uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  const std::vector<int> choices = envs::SearchActions({});
  auto random_action = [&] {
    return choices[std::uniform_int_distribution<size_t>(0, choices.size() - 1)(rng)];
  };
  std::vector<int> best(10);
  for (int& a : best) a = random_action();
  std::vector<std::vector<int>> out = {best};
  for (int i = 1; i < count; ++i) {
    std::vector<int> s = best;
    const size_t at = std::uniform_int_distribution<size_t>(0, s.size() - 1)(rng);
    switch (i % 4) {
      case 0: s[at] = random_action(); break;
      case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), random_action()); break;
      case 2: s.erase(s.begin() + static_cast<std::ptrdiff_t>(at)); break;
      default: s.resize(at + 1); break;
    }
    out.push_back(s);
  }
  return out;
}

// Runs `sequences` on `benchmarks` in turn on both clients and expects identical outcomes.
void ExpectSameOutcomes(EnvClient& plain, EnvClient& cached,
                        const std::vector<std::vector<int>>& sequences,
                        const std::vector<std::string>& benchmarks) {
  for (size_t i = 0; i < sequences.size(); ++i) {
    const std::string& benchmark = benchmarks[i % benchmarks.size()];
    auto a = plain.Reset(benchmark);
    auto b = cached.Reset(benchmark);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->observation, b->observation);
    EXPECT_EQ(a->ir_instruction_count, b->ir_instruction_count);
    for (int action : sequences[i]) {
      auto x = plain.Step(action);
      auto y = cached.Step(action);
      ASSERT_TRUE(x.ok() && y.ok()) << benchmark << " " << envs::Actions()[action].name;
      EXPECT_EQ(x->observation, y->observation) << benchmark << " candidate " << i;
      EXPECT_EQ(x->ir_instruction_count, y->ir_instruction_count) << benchmark << " " << i;
      EXPECT_DOUBLE_EQ(x->reward, y->reward);
      EXPECT_EQ(x->done, y->done);
    }
  }
}

TEST(PrefixCacheClientTest, GivesTheSameOutcomesWithFewerPasses) {
  auto plain = Client(0);
  auto cached = Client(256 << 20);
  ExpectSameOutcomes(*plain, *cached, Candidates(7, 24), {"bundled/nqueens"});
  EXPECT_GT(cached->cached_steps(), 0);
  // Every step of the plain client ran its pass; the cached one ran under two thirds of them.
  EXPECT_LT(cached->passes_run() * 3, plain->passes_run() * 2)
      << cached->passes_run() << " vs " << plain->passes_run();
}

// 4 KiB holds a few outcomes and no snapshot (the module's bitcode is larger): every miss replays
// from a reset, exactly the uncached path. 32 KiB holds a few snapshots and forgets the oldest.
TEST(PrefixCacheClientTest, SmallBudgetsForgetStatesButNotResults) {
  const auto sequences = Candidates(11, 16);
  auto plain = Client(0);
  auto roomy = Client(256 << 20);
  ExpectSameOutcomes(*plain, *roomy, sequences, {"bundled/nqueens"});
  for (size_t budget : {size_t{4} << 10, size_t{32} << 10}) {
    auto small = Client(budget);
    ExpectSameOutcomes(*plain, *small, sequences, {"bundled/nqueens"});
    EXPECT_GT(small->passes_run(), roomy->passes_run()) << budget;  // it replayed what it forgot
  }
}

// matmul_int is a program where a state restored from bitcode (local value names renumbered)
// leads licm elsewhere, so its outcomes are compared with the cached client's own first round:
// a second round of the same candidates is served entirely from the cache, unchanged.
TEST(PrefixCacheClientTest, HitsServeWhatWasComputed) {
  const auto sequences = Candidates(11, 16);
  auto cached = Client(256 << 20);
  auto run_all = [&] {
    std::vector<EnvOutcome> out;
    for (const auto& s : sequences) {
      EXPECT_TRUE(cached->Reset("bundled/matmul_int").ok());
      for (int action : s) out.push_back(*cached->Step(action));
    }
    return out;
  };
  const std::vector<EnvOutcome> first = run_all();
  const int64_t passes = cached->passes_run();
  const int64_t hits = cached->cached_steps();
  const std::vector<EnvOutcome> second = run_all();
  EXPECT_EQ(cached->passes_run(), passes);  // no pass ran
  EXPECT_EQ(cached->cached_steps() - hits, static_cast<int64_t>(second.size()));
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].observation, second[i].observation) << i;
    EXPECT_EQ(first[i].ir_instruction_count, second[i].ir_instruction_count) << i;
    EXPECT_DOUBLE_EQ(first[i].reward, second[i].reward) << i;
  }
}

// Three candidates on one program, then three on the other, and back: the cache holds one
// program's prefixes at a time and serves them only to that program.
TEST(PrefixCacheClientTest, AnotherBenchmarkStartsAfresh) {
  auto plain = Client(0);
  auto cached = Client(256 << 20);
  const auto sequences = Candidates(3, 12);
  for (size_t block = 0; block < sequences.size(); block += 3) {
    const std::vector<std::vector<int>> three(sequences.begin() + block,
                                              sequences.begin() + block + 3);
    ExpectSameOutcomes(*plain, *cached, three,
                       {block % 6 == 0 ? "bundled/nqueens" : "bundled/matmul_int"});
  }
  EXPECT_GT(cached->cached_steps(), 0);
}

// A straight path keeps no state; the second candidate to leave a state makes it a branch point:
// replayed from the reset once and kept, so the third branches there running one pass.
TEST(PrefixCacheClientTest, KeepsAStateWhenASecondCandidateLeavesIt) {
  auto cached = Client(256 << 20);
  auto run = [&](const std::string& passes) {
    ASSERT_TRUE(cached->Reset("bundled/nqueens").ok());
    const absl::StatusOr<std::vector<int>> actions = envs::ParseActionList(passes);
    ASSERT_TRUE(actions.ok()) << actions.status();
    for (int action : *actions) {
      auto step = cached->Step(action);
      ASSERT_TRUE(step.ok()) << step.status();
    }
  };
  run("sroa,instcombine,simplifycfg,gvn,licm");
  EXPECT_EQ(cached->snapshots_taken(), 0);
  EXPECT_EQ(cached->passes_run(), 5);
  run("sroa,instcombine,simplifycfg,early-cse");  // leaves the state after 3 a second time
  EXPECT_EQ(cached->snapshots_taken(), 1);
  EXPECT_EQ(cached->passes_run(), 5 + 3 + 1);  // the replayed prefix, then the new pass
  run("sroa,instcombine,simplifycfg,dce");
  EXPECT_EQ(cached->snapshots_taken(), 1);
  EXPECT_EQ(cached->passes_run(), 5 + 3 + 1 + 1);  // restored: only the new pass
}

// The outcomes of `actions` on nqueens from a reset.
std::vector<EnvOutcome> OnNqueens(EnvClient& client, const std::vector<int>& actions) {
  EXPECT_TRUE(client.Reset("bundled/nqueens").ok());
  std::vector<EnvOutcome> out;
  for (int action : actions) out.push_back(*client.Step(action));
  return out;
}

// Calls `visit(env, step, action)` after a reset of nqueens and `first` (if >= 0), for each search action
// in turn, until it returns true; returns that action, or -1.
int FirstActionWhere(
    int first, const std::function<bool(envs::LlvmEnv&, const envs::StepResult&, int)>& visit) {
  envs::EnvOptions options;
  options.cache_dir = testing::TestDatasetOptions().build.cache_dir;
  auto env = envs::LlvmEnv::Create(options);
  EXPECT_TRUE(env.ok()) << env.status();
  const envs::Benchmark nqueens =
      *envs::LoadBenchmark("bundled/nqueens", testing::TestDatasetOptions());
  for (int a : envs::SearchActions({})) {
    EXPECT_TRUE((*env)->Reset(nqueens).ok());
    if (first >= 0) EXPECT_TRUE((*env)->Step(first).ok());
    auto step = (*env)->Step(a);
    if (step.ok() && visit(**env, *step, a)) return a;
  }
  return -1;
}

// An action that leaves nqueens unchanged after `first` (found with the env itself); -1 if none.
int NoOpAfter(int first) {
  return FirstActionWhere(first, [](envs::LlvmEnv&, const envs::StepResult& step, int) {
    return !step.info.changed && !step.done;
  });
}

// A step that changes nothing is no new state: a candidate without it reaches the state it left,
// and the no-op is not run from there again.
TEST(PrefixCacheClientTest, StepsThatChangeNothingShareTheirState) {
  const int sroa = envs::ParseActionList("sroa")->front();
  const int gvn = envs::ParseActionList("gvn")->front();
  const int no_op = NoOpAfter(sroa);
  ASSERT_GE(no_op, 0) << "no action leaves nqueens unchanged after sroa";
  auto cached = Client(256 << 20);
  auto run = [&](const std::vector<int>& actions) { return OnNqueens(*cached, actions); };
  const std::vector<EnvOutcome> with = run({sroa, no_op, gvn});
  EXPECT_EQ(cached->passes_run(), 3);
  EXPECT_EQ(with[1].observation, with[0].observation);
  EXPECT_EQ(with[1].reward, 0);
  const std::vector<EnvOutcome> without = run({sroa, gvn});  // gvn from the same state: served
  EXPECT_EQ(cached->passes_run(), 3);
  EXPECT_EQ(without[1].ir_instruction_count, with[2].ir_instruction_count);
  EXPECT_EQ(without[1].observation, with[2].observation);
  const std::vector<EnvOutcome> again = run({sroa, no_op, no_op});  // a known no-op: not run
  EXPECT_EQ(cached->passes_run(), 3);
  EXPECT_EQ(again[2].observation, with[0].observation);
  EXPECT_EQ(again[2].reward, 0);
}

// Two different first actions that change nqueens into the same module (the same content hash),
// or {-1, -1}.
std::pair<int, int> TwoWaysToOneState() {
  std::map<uint64_t, int> first;
  int earlier = -1;
  const int later =
      FirstActionWhere(-1, [&](envs::LlvmEnv& env, const envs::StepResult& step, int action) {
        if (!step.info.changed || step.done) return false;
        auto [it, fresh] = first.emplace(env.StateHash(), action);
        earlier = it->second;
        return !fresh;
      });
  return later < 0 ? std::make_pair(-1, -1) : std::make_pair(earlier, later);
}

// A step that reaches a module an earlier prefix reached continues under that prefix: the steps
// after it are served, not run.
TEST(PrefixCacheClientTest, StepsThatReachAKnownModuleShareItsState) {
  const auto [a, b] = TwoWaysToOneState();
  ASSERT_GE(a, 0) << "no two actions give nqueens the same module";
  const int gvn = envs::ParseActionList("gvn")->front();
  auto cached = Client(256 << 20);
  auto run = [&](const std::vector<int>& actions) { return OnNqueens(*cached, actions); };
  const std::vector<EnvOutcome> one = run({a, gvn});
  EXPECT_EQ(cached->passes_run(), 2);
  const std::vector<EnvOutcome> other = run({b, gvn});  // b runs; gvn from a's state: served
  EXPECT_EQ(cached->passes_run(), 3);
  EXPECT_EQ(other[0].observation, one[0].observation);
  EXPECT_EQ(other[1].observation, one[1].observation);
  EXPECT_EQ(other[1].ir_instruction_count, one[1].ir_instruction_count);
  EXPECT_EQ(cached->cached_steps(), 1);

  auto plain = Client(0);  // and stepping every pass gives the same outcomes
  ExpectSameOutcomes(*plain, *Client(256 << 20), {{a, gvn}, {b, gvn}, {b, gvn, gvn}},
                     {"bundled/nqueens"});
}

TEST(PrefixCacheClientTest, RefusesARuntimeReward) {
  auto client =
      InProcessEnvClient::Create(testing::TestDatasetOptions(), envs::RewardSpace::kRuntimeNorm);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ((*client)->EnablePrefixCache(1 << 20).code(), absl::StatusCode::kFailedPrecondition);
  WorkerOptions worker;
  worker.reward = "RuntimeNorm";
  worker.prefix_cache_mb = 64;
  EXPECT_EQ(worker.Env().status().code(), absl::StatusCode::kInvalidArgument);
}

EnvOutcome Big(int64_t tag) {
  EnvOutcome o;
  o.observation.assign(1000, tag);  // ~8 KB
  o.ir_instruction_count = tag;
  return o;
}

TEST(PrefixCacheTest, EvictsTheLeastRecentlyUsedAndKeepsTheReset) {
  PrefixCache cache(64 << 10);
  EXPECT_FALSE(cache.Use("a"));
  cache.Insert({}, Big(0), 0);
  cache.Insert({1}, Big(1), 1);
  for (int i = 2; i < 30; ++i) {
    ASSERT_NE(cache.Find({1}), nullptr) << i;  // used again and again: kept
    cache.Insert({1, i}, Big(i), i);
    EXPECT_LE(cache.bytes(), size_t{64} << 10);
  }
  EXPECT_NE(cache.Find({}), nullptr);
  ASSERT_NE(cache.Find({1, 29}), nullptr);
  EXPECT_EQ(cache.Find({1, 29})->ir_instruction_count, 29);
  EXPECT_EQ(cache.Find({1, 2}), nullptr);  // the oldest went
  EXPECT_TRUE(cache.Use("a"));
  EXPECT_FALSE(cache.Use("b"));  // another benchmark: nothing of a's
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Nearest({1, 2, 3}).second, nullptr);
}

TEST(PrefixCacheTest, AModuleReachedTwiceKeepsItsFirstName) {
  PrefixCache cache(64 << 10);
  cache.Use("a");
  cache.Insert({}, Big(0), 0);
  EXPECT_EQ(cache.Insert({1}, Big(1), 7), std::vector<int>({1}));
  EXPECT_EQ(cache.Insert({2}, Big(2), 7), std::vector<int>({1}));  // the same module as {1}
  EXPECT_EQ(cache.Insert({3}, Big(3), 8), std::vector<int>({3}));
  std::vector<int> state;
  ASSERT_NE(cache.Find({2}, &state), nullptr);
  EXPECT_EQ(cache.Find({2})->ir_instruction_count, 2);  // its own outcome (its own reward)
  EXPECT_EQ(state, std::vector<int>({1}));
  ASSERT_NE(cache.Find({3}, &state), nullptr);
  EXPECT_EQ(state, std::vector<int>({3}));
  // Once {1} is forgotten, {2} names its own state, and the next prefix to reach it is first.
  for (int i = 4; i < 12; ++i) {
    cache.Find({2});
    cache.Insert({i}, Big(i), 100 + i);
  }
  ASSERT_EQ(cache.Find({1}), nullptr);
  ASSERT_NE(cache.Find({2}, &state), nullptr);
  EXPECT_EQ(state, std::vector<int>({2}));
  EXPECT_EQ(cache.Insert({5, 5}, Big(55), 7), std::vector<int>({5, 5}));
  EXPECT_EQ(cache.Insert({6, 6}, Big(66), 7), std::vector<int>({5, 5}));
}

}  // namespace
}  // namespace passrl::actors
