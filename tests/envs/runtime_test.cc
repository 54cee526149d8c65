// The runtime reward's build/run/validate machinery on small real programs, including hostile
// ones: each is contained, reported with a reason, and leaves no process behind.
#include "envs/runtime.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "envs/llvm_util.h"
#include "envs/pass_runner.h"
#include "gtest/gtest.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

int CountOurChildren() { return static_cast<int>(testing::ChildrenOfThisProcess().size()); }

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RuntimeOptions options;
    options.timeout_seconds = 2;
    options.measure.min_runs = 3;
    options.measure.max_runs = 5;
    options.max_output_bytes = 1 << 16;
    options.address_space_bytes = 512 << 20;
    options.failure_log = testing::TempDir() + "/failures.jsonl";
    auto evaluator = RuntimeEvaluator::Create(options);
    ASSERT_TRUE(evaluator.ok()) << evaluator.status();
    evaluator_ = std::move(*evaluator);
  }
  // Builds C source into a module (optimised by `pipeline` if given) and evaluates it.
  RuntimeResult Run(const std::string& source, const char* pipeline = nullptr,
                    const Reference* reference = nullptr) {
    auto b = BuildBenchmark("prog", {testing::WriteTempFile("prog.c", source)},
                            testing::TestDatasetOptions().build);
    EXPECT_TRUE(b.ok()) << b.status();
    benchmark_ = *b;
    module_ = *OptimizedCopy(*b, pipeline, context_, nullptr);
    tm_ = *CreateTargetMachine(*module_);
    auto r = evaluator_->Evaluate(*module_, *tm_, reference);
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }
  std::unique_ptr<RuntimeEvaluator> evaluator_;
  Benchmark benchmark_;
  llvm::LLVMContext context_;
  std::unique_ptr<llvm::Module> module_;
  std::unique_ptr<llvm::TargetMachine> tm_;
};

TEST_F(RuntimeTest, MeasuresAndReportsStatistics) {
  RuntimeResult r =
      Run("#include <stdio.h>\nint main(void){unsigned s=0;for(unsigned i=0;i<3000000;i++)s+=i*i;"
          "printf(\"%u\\n\",s);return 0;}\n");
  EXPECT_EQ(r.verdict, Verdict::kOk) << r.detail;
  EXPECT_GE(r.time.n, 3);
  EXPECT_LE(r.time.n, 5);
  EXPECT_GT(r.time.median, 0);
  EXPECT_LE(r.time.min, r.time.median);
  EXPECT_GT(r.codegen_seconds, 0);
  EXPECT_GT(r.link_seconds, 0);
  EXPECT_FALSE(r.output.empty());
}

// A program that sleeps 60 ms and computes little: its CPU time (the default clock) leaves the
// sleep out, its wall time has it; each result reports both clocks' medians.
TEST_F(RuntimeTest, TimesByTheChosenClock) {
  const std::string sleeper =
      "#include <time.h>\nint main(void){struct timespec t={0,60000000};nanosleep(&t,0);"
      "return 0;}\n";
  RuntimeResult cpu = Run(sleeper);
  ASSERT_EQ(cpu.verdict, Verdict::kOk) << cpu.detail;
  EXPECT_LT(cpu.time.median, 0.03);
  EXPECT_EQ(cpu.time.median, cpu.cpu_median);
  EXPECT_GE(cpu.wall_median, 0.06);

  RuntimeOptions options = evaluator_->options();
  options.clock = RunClock::kWall;
  evaluator_ = *RuntimeEvaluator::Create(options);
  RuntimeResult wall = Run(sleeper);
  ASSERT_EQ(wall.verdict, Verdict::kOk) << wall.detail;
  EXPECT_GE(wall.time.median, 0.06);
  EXPECT_EQ(wall.time.median, wall.wall_median);
  EXPECT_LT(wall.cpu_median, 0.03);
  EXPECT_EQ(ParseRunClock("wall").value(), RunClock::kWall);
  EXPECT_FALSE(ParseRunClock("tsc").ok());
}

TEST_F(RuntimeTest, RunsOnThePinnedCore) {
  RuntimeResult r =
      Run("#define _GNU_SOURCE\n#include <sched.h>\n#include <stdio.h>\n"
          "int main(void){cpu_set_t s;sched_getaffinity(0,sizeof s,&s);"
          "for(int c=0;c<CPU_SETSIZE;c++) if(CPU_ISSET(c,&s)) printf(\"%d \",c);return 0;}\n");
  ASSERT_EQ(r.verdict, Verdict::kOk) << r.detail;
  EXPECT_EQ(r.output, std::to_string(evaluator_->cpu()) + " ");
}

TEST_F(RuntimeTest, CachesByIr) {
  const std::string src = "int main(void){return 0;}\n";
  RuntimeResult first = Run(src);
  EXPECT_FALSE(first.cached);
  EXPECT_EQ(evaluator_->builds(), 1);
  RuntimeResult second = Run(src);
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(evaluator_->builds(), 1);
  EXPECT_EQ(second.time.median, first.time.median);
  Run("int main(void){return 1;}\n");
  EXPECT_EQ(evaluator_->builds(), 2);
}

// `grows` has undefined behaviour at INT_MAX: the -O0 build wraps and prints 0, instcombine folds
// `x + 1 > x` to true and the optimised build prints 1. Validation must catch that.
TEST_F(RuntimeTest, ValidationCatchesOutputThatChangedUnderOptimisation) {
  const std::string src =
      "#include <stdio.h>\n#include <limits.h>\n"
      "__attribute__((noinline)) int grows(int x){return x + 1 > x;}\n"
      "int main(void){volatile int v = INT_MAX; printf(\"%d\\n\", grows(v)); return 0;}\n";
  RuntimeResult o0 = Run(src);
  ASSERT_EQ(o0.verdict, Verdict::kOk);
  EXPECT_EQ(o0.output, "0\n");
  const Reference reference{o0.output, o0.exit_code};
  RuntimeResult optimised = Run(src, "function(instcombine)", &reference);
  EXPECT_EQ(optimised.verdict, Verdict::kMiscompile);
  EXPECT_NE(optimised.detail.find("output differs"), std::string::npos) << optimised.detail;
  evaluator_->LogFailure("prog", "instcombine", optimised);
  std::ifstream log(evaluator_->options().failure_log);
  std::string line;
  ASSERT_TRUE(std::getline(log, line));
  EXPECT_NE(line.find("\"verdict\":\"miscompile\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"actions\":\"instcombine\""), std::string::npos) << line;
}

TEST_F(RuntimeTest, DifferentExitCodeIsAMiscompile) {
  const Reference reference{"", 0};
  RuntimeResult r = Run("int main(void){return 3;}\n", nullptr, &reference);
  EXPECT_EQ(r.verdict, Verdict::kMiscompile);
  EXPECT_NE(r.detail.find("exit code 3"), std::string::npos) << r.detail;
}

TEST_F(RuntimeTest, HostileProgramsAreContained) {
  struct Case {
    const char* what;
    std::string source;
    Verdict verdict;
    const char* detail;
  };
  const std::vector<Case> cases = {
      {"loops forever", "int main(void){volatile int x=0;for(;;)x++;}\n", Verdict::kTimeout,
       "timed out"},
      {"segfaults", "int main(void){volatile int* p=0;return *p;}\n", Verdict::kCrash, "signal 11"},
      {"aborts", "#include <stdlib.h>\nint main(void){abort();}\n", Verdict::kCrash, "signal 6"},
      {"prints gigabytes",
       "#include <stdio.h>\nint main(void){for(;;)fputs(\"passrl passrl passrl\\n\",stdout);}\n",
       Verdict::kCrash, "output cap"},
      {"forks and leaves a child",
       "#include <unistd.h>\nint main(void){if(fork()==0){sleep(300);}return 0;}\n", Verdict::kOk,
       ""},
      {"reads stdin", "#include <stdio.h>\nint main(void){return getchar()==EOF?0:1;}\n",
       Verdict::kOk, ""},
      {"allocates without bound",
       "#include <stdlib.h>\n#include <string.h>\nint main(void){for(;;){char*p=malloc(1<<26);"
       "if(!p)return 7;memset(p,1,1<<26);}}\n",
       Verdict::kOk, ""},  // malloc fails under RLIMIT_AS: exit code 7, checked below
  };
  for (const Case& c : cases) {
    RuntimeResult r = Run(c.source);
    EXPECT_EQ(r.verdict, c.verdict) << c.what << ": " << r.detail;
    EXPECT_NE(r.detail.find(c.detail), std::string::npos) << c.what << ": " << r.detail;
    EXPECT_EQ(CountOurChildren(), 0) << c.what << " left a process behind";
    if (std::string(c.what) == "allocates without bound") {
      EXPECT_EQ(r.exit_code, 7);
    }
  }
}

// Each run appends the path of its executable and the CPU it ran on to runs.log in the scratch
// dir (its working directory); stdout is the same for every build, so outputs validate.
constexpr char kLoggingProgram[] =
    "#define _GNU_SOURCE\n#include <sched.h>\n#include <stdio.h>\n#include <unistd.h>\n"
    "int main(void){char exe[4096]={0};readlink(\"/proc/self/exe\",exe,sizeof exe-1);"
    "FILE*f=fopen(\"runs.log\",\"a\");fprintf(f,\"%s %d\\n\",exe,sched_getcpu());fclose(f);"
    "unsigned s=0;for(unsigned i=0;i<20000000;i++)s+=i*i^(i>>3);printf(\"%u\\n\",s);return 0;}\n";

std::vector<std::pair<std::string, int>> ReadRunLog(const std::string& dir) {
  std::vector<std::pair<std::string, int>> runs;
  std::ifstream in(dir + "/runs.log");
  std::string exe;
  int cpu;
  while (in >> exe >> cpu) runs.emplace_back(exe, cpu);
  return runs;
}

class PairedRuntimeTest : public RuntimeTest {
 protected:
  // The logging program at -O0 (B) and -O3 (A), built by the evaluator.
  void BuildPair() {
    reference_ = {Run(kLoggingProgram).output, 0};  // the -O0 build's; sets benchmark_
    llvm::LLVMContext& c = context_;
    o0_ = *OptimizedCopy(benchmark_, nullptr, c, nullptr);
    o3_ = *OptimizedCopy(benchmark_, "default<O3>", c, nullptr);
    auto b = evaluator_->Prepare(*o0_, *tm_);
    auto a = evaluator_->Prepare(*o3_, *tm_);
    ASSERT_TRUE(a.ok() && b.ok());
    a_ = *a;
    b_ = *b;
    std::filesystem::remove(evaluator_->scratch_dir() + "/runs.log");
  }
  Reference reference_;
  std::unique_ptr<llvm::Module> o0_, o3_;
  Binary a_, b_;
};

TEST_F(PairedRuntimeTest, RunsAlternateABOnTheBenchmarkCoreAndO3BeatsO0) {
  BuildPair();
  EXPECT_NE(a_.object_hash, b_.object_hash);
  auto r = evaluator_->Compare(a_, b_, &reference_);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->verdict, Verdict::kOk) << r->detail;
  // Faster by the estimate; that the interval excludes 1 is asserted by
  // FasterTwiceInARowWithFreshEvaluators (here, under CI's load, one noisy pair can widen it).
  EXPECT_GT(r->time.speedup(), 1.0) << "-O3 should be faster than -O0";
  // B once (the lead-in), then A B A B ...: every timed run follows the other binary.
  const auto runs = ReadRunLog(evaluator_->scratch_dir());
  ASSERT_EQ(runs.size(), r->order.size());
  ASSERT_EQ(static_cast<int>(runs.size()), 1 + 2 * r->time.pairs);
  for (size_t i = 0; i < runs.size(); ++i) {
    const bool b_run = i % 2 == 0;
    EXPECT_EQ(runs[i].first, b_run ? b_.path : a_.path) << "run " << i;
    EXPECT_EQ(r->order[i], b_run ? 'B' : 'A');
    EXPECT_EQ(runs[i].second, evaluator_->cpu()) << "run " << i;
  }
}

// Paired comparisons time by the clock too: a program that sleeps 150 ms and one that computes
// for ~15 ms are, by CPU time, the sleeper faster; by wall time, the sleeper slower.
TEST_F(PairedRuntimeTest, ComparesByTheChosenClock) {
  const std::string sleeper =
      "#include <time.h>\nint main(void){struct timespec t={0,150000000};nanosleep(&t,0);"
      "return 0;}\n";
  const std::string spinner =
      "int main(void){volatile unsigned s=0;for(unsigned i=0;i<5000000;i++)s+=i;return 0;}\n";
  for (RunClock clock : {RunClock::kCpu, RunClock::kWall}) {
    RuntimeOptions options = evaluator_->options();
    options.clock = clock;
    evaluator_ = *RuntimeEvaluator::Create(options);
    Run(sleeper);
    auto a = evaluator_->Prepare(*module_, *tm_);
    Run(spinner);
    auto b = evaluator_->Prepare(*module_, *tm_);
    ASSERT_TRUE(a.ok() && b.ok());
    auto r = evaluator_->Compare(*a, *b, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->verdict, Verdict::kOk) << r->detail;
    if (clock == RunClock::kCpu) {
      EXPECT_GT(r->time.speedup_low(), 1.0) << "by CPU time the sleeper is faster";
    } else {
      EXPECT_LT(r->time.speedup_high(), 1.0) << "by wall time the sleeper is slower";
    }
  }
}

TEST_F(PairedRuntimeTest, FasterTwiceInARowWithFreshEvaluators) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    SetUp();  // a fresh evaluator: nothing cached
    BuildPair();
    auto r = evaluator_->Compare(a_, b_, &reference_);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->cached);
    EXPECT_GT(r->time.speedup_low(), 1.0) << "attempt " << attempt;
  }
}

TEST_F(PairedRuntimeTest, CachedPerPairAndSameObjectCodeIsNotRun) {
  BuildPair();
  auto first = evaluator_->Compare(a_, b_, &reference_);
  ASSERT_TRUE(first.ok());
  const size_t runs = ReadRunLog(evaluator_->scratch_dir()).size();
  auto again = evaluator_->Compare(a_, b_, &reference_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->cached);
  EXPECT_EQ(evaluator_->compare_hits(), 1);
  EXPECT_EQ(again->time.log_ratio, first->time.log_ratio);
  auto reversed = evaluator_->Compare(b_, a_, &reference_);  // another pair: measured
  ASSERT_TRUE(reversed.ok());
  EXPECT_FALSE(reversed->cached);
  EXPECT_LT(reversed->time.log_high, 0);
  EXPECT_GT(ReadRunLog(evaluator_->scratch_dir()).size(), runs);

  // The same module built again is the same binary; identical object code is never run.
  auto rebuilt = evaluator_->Prepare(*o3_, *tm_);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(rebuilt->path, a_.path);
  EXPECT_EQ(rebuilt->link_seconds, 0);
  const size_t before = ReadRunLog(evaluator_->scratch_dir()).size();
  auto same = evaluator_->Compare(*rebuilt, a_, &reference_);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->identical);
  EXPECT_EQ(same->RewardSpeedup(Insignificant::kEstimate), 1.0);
  EXPECT_EQ(ReadRunLog(evaluator_->scratch_dir()).size(), before);
}

// `grows` has undefined behaviour at INT_MAX: -O0 prints 0, -O3 prints 1.
TEST_F(PairedRuntimeTest, EveryRunIsValidated) {
  const Reference o0 = {Run("#include <stdio.h>\n#include <limits.h>\n"
                            "__attribute__((noinline)) int grows(int x){return x + 1 > x;}\n"
                            "int main(void){volatile int v = INT_MAX; printf(\"%d\\n\", grows(v));}\n")
                            .output,
                        0};
  auto o3_module = *OptimizedCopy(benchmark_, "default<O3>", context_, nullptr);
  auto o0_binary = evaluator_->Prepare(*module_, *tm_);
  auto o3_binary = evaluator_->Prepare(*o3_module, *tm_);
  ASSERT_TRUE(o0_binary.ok() && o3_binary.ok());
  // A (the new state) miscompiled: the verdict, after the lead-in and A's first run.
  auto r = evaluator_->Compare(*o3_binary, *o0_binary, &o0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kMiscompile);
  EXPECT_NE(r->detail.find("output differs"), std::string::npos) << r->detail;
  EXPECT_EQ(r->order, "BA");
  // B (the state measured before) failing now: an error naming it, not a verdict on A.
  auto flaky = evaluator_->Compare(*o0_binary, *o3_binary, &o0);
  ASSERT_FALSE(flaky.ok());
  EXPECT_NE(flaky.status().message().find("baseline binary"), absl::string_view::npos)
      << flaky.status();
}

// Options for a runtime-reward environment with short measurements, and the program they time.
EnvOptions QuickRuntimeOptions(RewardSpace reward) {
  EnvOptions options;
  options.reward = reward;
  options.cache_dir = testing::TestDatasetOptions().build.cache_dir;
  options.runtime.measure.min_runs = 3;
  options.runtime.measure.max_runs = 5;
  return options;
}
Benchmark Crc32() { return *LoadBenchmark("bundled/crc32_table", testing::TestDatasetOptions()); }

// Through the environment: Runtime rewards, baselines, and the UB check at Reset.
TEST(RuntimeEnvTest, RuntimeRewardTelescopesAndRefusesUndefinedBehaviour) {
  EnvOptions options = QuickRuntimeOptions(RewardSpace::kRuntimeNorm);
  options.runtime.paired_reward = false;  // medians measured separately
  options.runtime.min_run_seconds = 0;    // the UB program below runs for a millisecond
  auto env = *LlvmEnv::Create(options);
  ASSERT_TRUE(env->Reset(Crc32()).ok());
  const auto& base = env->runtime_baselines();
  EXPECT_GT(base.o0_seconds, 0);
  EXPECT_GT(base.o3_seconds, 0);
  EXPECT_NE(base.reference.output.find("checksum: "), std::string::npos);
  double total = 0;
  const std::vector<int> actions = *ParseActionList("sroa,instcombine");
  for (int a : actions) {
    auto step = env->Step(a);
    ASSERT_TRUE(step.ok()) << step.status();
    ASSERT_TRUE(step->info.failure.empty()) << step->info.failure;
    ASSERT_NE(step->info.runtime, nullptr);
    total += step->reward;
  }
  EXPECT_NEAR(total, (base.o0_seconds - env->Cost(RewardSpace::kRuntime).value()) / base.o3_seconds,
              1e-9);

  auto ub = BuildBenchmark(
      "ub",
      {testing::WriteTempFile(
          "ub.c",
          "#include <stdio.h>\n#include <limits.h>\n"
          "__attribute__((noinline)) int grows(int x){return x + 1 > x;}\n"
          "int main(void){volatile int v = INT_MAX; printf(\"%d\\n\", grows(v));}\n")},
      testing::TestDatasetOptions().build);
  ASSERT_TRUE(ub.ok());
  auto reset = env->Reset(*ub);
  ASSERT_FALSE(reset.ok());
  EXPECT_NE(reset.status().message().find("undefined behaviour"), absl::string_view::npos)
      << reset.status();
  auto ll = BuildBenchmark("nomain",
                           {testing::WriteTempFile("f.ll", "define void @f() {\n  ret void\n}\n")},
                           testing::TestDatasetOptions().build);
  EXPECT_NE(env->Reset(*ll).status().message().find("main()"), absl::string_view::npos);
}

// The paired reward: each step's binary against the state last changed significantly, rewards
// telescoping to the chained cost; a step that leaves the object code as it was is worth exactly
// 0 and runs nothing.
TEST(RuntimeEnvTest, PairedRewardComparesWithThePreviousStateAndSkipsUnchangedCode) {
  auto env = *LlvmEnv::Create(QuickRuntimeOptions(RewardSpace::kRuntimeNorm));
  const Benchmark b = Crc32();
  ASSERT_TRUE(env->Reset(b).ok());
  const auto& base = env->runtime_baselines();
  double total = 0, cost = base.o0_seconds;
  const std::vector<int> actions = *ParseActionList("sroa,sroa,instcombine");
  for (int a : actions) {
    auto step = env->Step(a);
    ASSERT_TRUE(step.ok()) << step.status();
    ASSERT_TRUE(step->info.failure.empty()) << step->info.failure;
    ASSERT_NE(step->info.paired, nullptr);
    EXPECT_EQ(step->info.runtime, nullptr);
    total += step->reward;
    cost = step->info.cost;
    if (env->actions().size() == 1) {
      EXPECT_TRUE(step->info.paired->time.significant()) << "sroa at -O0 is a large speedup";
      EXPECT_GT(step->reward, 0);
    }
    if (env->actions().size() == 2) {  // sroa again: nothing left to promote
      EXPECT_TRUE(step->info.paired->identical);
      EXPECT_EQ(step->reward, 0);
      EXPECT_EQ(step->info.paired->order, "");
    }
  }
  EXPECT_NEAR(total, (base.o0_seconds - cost) / base.o3_seconds, 1e-9);

  // Back to the state after the first step: the same next step is the same (cached) pair.
  ASSERT_TRUE(env->Reset(b).ok());
  ASSERT_TRUE(env->Step(actions[0]).ok());
  auto snapshot = env->TakeSnapshot();
  auto first = env->Step(actions[2]);
  ASSERT_TRUE(first.ok());
  env->Restore(*snapshot);
  auto again = env->Step(actions[2]);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reward, first->reward);
  EXPECT_TRUE(again->info.paired->cached || again->info.paired->identical);
}

// RuntimeLog from an -O3 start: each reward is the log of the step's paired speedup (1 when the
// change is insignificant), and the episode's cost starts at the -O3 program's time.
TEST(RuntimeEnvTest, LogRewardIsTheLogOfThePairedSpeedupFromTheStartState) {
  EnvOptions options = QuickRuntimeOptions(RewardSpace::kRuntimeLog);
  options.start = "O3";
  auto env = *LlvmEnv::Create(options);
  ASSERT_TRUE(env->Reset(Crc32()).ok());
  EXPECT_EQ(env->IrInstructionCount(), env->baselines().ir_o3);
  const std::vector<int> actions = *ParseActionList("loop-unroll-full,instcombine,reg2mem");
  double previous_cost = env->runtime_baselines().o3_seconds;  // the -O3 start, measured once
  for (int a : actions) {
    auto step = env->Step(a);
    ASSERT_TRUE(step.ok()) << step.status();
    ASSERT_TRUE(step->info.failure.empty()) << step->info.failure;
    const PairedResult& p = *step->info.paired;
    EXPECT_NEAR(step->reward, std::log(p.RewardSpeedup(Insignificant::kZero)), 1e-12);
    EXPECT_NEAR(step->info.cost * p.RewardSpeedup(Insignificant::kZero), previous_cost, 1e-12);
    previous_cost = step->info.cost;
    if (a == actions.back()) EXPECT_LT(step->reward, -0.05) << "reg2mem: a large slowdown";
  }
}

// A program that finishes in about the time a process takes to start cannot be timed.
TEST(RuntimeEnvTest, ProgramsTooShortToTimeAreRefusedWithTheReason) {
  EnvOptions options = QuickRuntimeOptions(RewardSpace::kRuntimeLog);
  auto env = *LlvmEnv::Create(options);
  auto quick = BuildBenchmark(
      "quick", {testing::WriteTempFile("quick.c", "#include <stdio.h>\nint main(void){puts(\"hi\");}\n")},
      testing::TestDatasetOptions().build);
  ASSERT_TRUE(quick.ok());
  auto reset = env->Reset(*quick);
  ASSERT_FALSE(reset.ok());
  EXPECT_EQ(reset.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(reset.status().message().find("too short to time"), absl::string_view::npos)
      << reset.status();
  options.runtime.min_run_seconds = 0;  // validation only: no floor
  EXPECT_TRUE((*LlvmEnv::Create(options))->Reset(*quick).ok());
}

}  // namespace
}  // namespace passrl::envs
