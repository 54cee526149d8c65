// Every action applies to every bundled benchmark, both from the unoptimised start state and after
// a typical prefix, leaving IR that passes the verifier; an action that reports no change
// (`StepInfo::changed`, which the prefix cache trusts to share states) left the IR text exactly as
// it was. Each benchmark runs in a forked child so that a pass that crashes LLVM is reported with
// the benchmark and the exact action sequence.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

constexpr char kPrefix[] = "sroa,inline,instcombine,simplifycfg";

// Runs in the child: one line per attempt ("RUN <sequence>") before it, "FAIL <why>" after a
// failure, "SAME" after a step that reported no change and left the IR as it was; the parent reads
// the last RUN line if the child dies.
void CheckBenchmark(const Benchmark& b, FILE* out) {
  EnvOptions options;
  options.verify_each_step = true;
  options.observation = ObservationSpace::kAutophase;
  options.cache_dir = testing::TestDatasetOptions().build.cache_dir;
  auto env = LlvmEnv::Create(options);
  const std::vector<int> prefix = *ParseActionList(kPrefix);
  for (bool with_prefix : {false, true}) {
    for (int a = 0; a < kNumActions; ++a) {
      std::vector<int> seq = with_prefix ? prefix : std::vector<int>{};
      seq.push_back(a);
      std::fprintf(out, "RUN %s\n", FormatActionList(seq).c_str());
      std::fflush(out);
      absl::Status status = (*env)->Reset(b).status();
      for (size_t i = 0; i + 1 < seq.size() && status.ok(); ++i) {
        status = (*env)->Step(seq[i]).status();
      }
      const std::string before = status.ok() ? (*env)->Observe(ObservationSpace::kIr)->text : "";
      absl::StatusOr<StepResult> last =
          status.ok() ? (*env)->Step(a) : absl::StatusOr<StepResult>(status);
      if (!last.ok()) {
        std::fprintf(out, "FAIL %s\n", std::string(last.status().message()).c_str());
      } else if (!last->info.changed && Actions()[a].kind != ActionKind::kStop) {
        const bool same = (*env)->Observe(ObservationSpace::kIr)->text == before;
        std::fprintf(out, same ? "SAME\n" : "FAIL reported no change but changed the IR\n");
      }
    }
  }
}

TEST(AllActionsTest, EveryActionAppliesToEveryBundledBenchmark) {
  const std::vector<Benchmark> benchmarks = testing::BundledBenchmarks();
  ASSERT_GE(benchmarks.size(), 25u);
  for (const Benchmark& b : benchmarks) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      FILE* out = fdopen(fds[1], "w");
      CheckBenchmark(b, out);
      std::fclose(out);
      _exit(0);
    }
    close(fds[1]);
    std::string log;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) log.append(buf, n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    std::istringstream lines(log);
    std::string line, last_run;
    int runs = 0, same = 0;
    while (std::getline(lines, line)) {
      same += line == "SAME";
      if (line.rfind("RUN ", 0) == 0) {
        last_run = line.substr(4);
        ++runs;
      } else if (line.rfind("FAIL ", 0) == 0) {
        ADD_FAILURE() << b.name << ": actions [" << last_run << "] failed: " << line.substr(5);
      }
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << b.name << ": LLVM crashed (status " << status << ") running actions [" << last_run
        << "]; reproduce with: passrl env --benchmark " << b.name << " --actions " << last_run;
    EXPECT_EQ(runs, 2 * kNumActions) << b.name;
    EXPECT_GT(same, 0) << b.name << ": no action reported leaving the IR unchanged";
  }
}

}  // namespace
}  // namespace passrl::envs
