#include "common/subprocess.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl {
namespace {

TEST(SubprocessTest, CapturesStdoutStderrAndExitCode) {
  auto r = RunSubprocess({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->Describe(), "exit code 3");
}

TEST(SubprocessTest, ReportsSignal) {
  auto r = RunSubprocess({"sh", "-c", "kill -SEGV $$"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, SIGSEGV);
  EXPECT_EQ(r->Describe(), "killed by signal 11 (Segmentation fault)");
}

TEST(SubprocessTest, TimeoutKillsTheChild) {
  SubprocessOptions options;
  options.timeout_seconds = 0.3;
  const auto start = std::chrono::steady_clock::now();
  auto r = RunSubprocess({"sleep", "30"}, options);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(secs, 10.0);
}

TEST(SubprocessTest, CapsOutput) {
  SubprocessOptions options;
  options.max_output_bytes = 1000;
  auto r = RunSubprocess({"sh", "-c", "head -c 100000 /dev/zero"}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out.size(), 1000u);
  EXPECT_TRUE(r->ok());
}

TEST(SubprocessTest, MissingToolIsNotFound) {
  auto r = RunSubprocess({"passrl-no-such-tool"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("passrl-no-such-tool"), absl::string_view::npos);
}

}  // namespace
}  // namespace passrl

namespace passrl {
namespace {

std::vector<std::string> OurChildren() { return testing::ChildrenOfThisProcess(); }

TEST(SubprocessSandboxTest, BindsTheChildToTheRequestedCpu) {
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
  int last = -1;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &mine)) last = c;
  }
  SubprocessOptions options;
  options.cpu = last;
  auto r = RunSubprocess({"grep", "Cpus_allowed_list", "/proc/self/status"}, options);
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->out, "Cpus_allowed_list:\t" + std::to_string(last) + "\n");
}

TEST(SubprocessSandboxTest, ClearsTheEnvironmentAndDisablesAslr) {
  SubprocessOptions options;
  options.clear_environment = true;
  auto env = RunSubprocess({"/usr/bin/env"}, options);
  ASSERT_TRUE(env.ok() && env->ok());
  EXPECT_EQ(env->out, "");
  options.disable_aslr = true;
  auto maps1 = RunSubprocess({"grep", "\\[stack\\]", "/proc/self/maps"}, options);
  auto maps2 = RunSubprocess({"grep", "\\[stack\\]", "/proc/self/maps"}, options);
  ASSERT_TRUE(maps1.ok() && maps2.ok());
  EXPECT_EQ(maps1->out, maps2->out) << "stack moved between runs: ASLR is on";
}

TEST(SubprocessSandboxTest, StdinIsEmpty) {
  auto r = RunSubprocess({"wc", "-c"});
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->out, "0\n");
}

TEST(SubprocessSandboxTest, ForkedGrandchildrenAreKilledAndReaped) {
  SubprocessOptions options;
  options.timeout_seconds = 20;
  const auto start = std::chrono::steady_clock::now();
  // The child leaves a grandchild behind holding stdout open, then exits 0.
  auto r = RunSubprocess({"sh", "-c", "sleep 300 & echo started"}, options);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << r->Describe();
  EXPECT_EQ(r->out, "started\n");
  EXPECT_LT(secs, 5.0) << "waited for the grandchild";
  EXPECT_TRUE(OurChildren().empty()) << OurChildren()[0];
}

TEST(SubprocessSandboxTest, RunawayOutputIsCappedAndStopped) {
  SubprocessOptions options;
  options.max_output_bytes = 1 << 16;
  options.kill_on_output_cap = true;
  options.timeout_seconds = 30;
  auto r = RunSubprocess({"yes"}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->output_truncated);
  EXPECT_EQ(r->out.size(), size_t{1} << 16);
  EXPECT_FALSE(r->timed_out);
  EXPECT_TRUE(OurChildren().empty());
}

TEST(SubprocessSandboxTest, TimeoutLeavesNoProcessBehind) {
  SubprocessOptions options;
  options.timeout_seconds = 0.3;
  auto r = RunSubprocess({"sh", "-c", "sleep 100 & sleep 100"}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->Describe(), "timed out");
  EXPECT_TRUE(OurChildren().empty());
}

TEST(SubprocessSandboxTest, FileSizeLimitStopsABigWriter) {
  SubprocessOptions options;
  options.file_size_bytes = 4096;
  options.working_dir = "/tmp";
  const std::string file = "/tmp/passrl-fsize-" + std::to_string(getpid());
  auto r = RunSubprocess({"sh", "-c", "head -c 100000 /dev/zero > " + file}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok());
  EXPECT_LE(std::filesystem::file_size(file), 4096u);
  std::filesystem::remove(file);
}

TEST(SubprocessSandboxTest, ReportsWallAndCpuTime) {
  auto r = RunSubprocess({"sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"});
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_GT(r->wall_seconds, 0.0);
  EXPECT_GT(r->cpu_seconds, 0.0);
  EXPECT_LE(r->cpu_seconds, r->wall_seconds * 1.5 + 0.01);
}

}  // namespace
}  // namespace passrl

namespace passrl {
namespace {

TEST(SubprocessSandboxTest, ExecFailureIsAnErrorNotAnExitCode) {
  const std::string dir = "/tmp/passrl-noexec-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/not-executable";
  std::ofstream(file) << "#!/bin/sh\necho hi\n";
  std::filesystem::permissions(file, std::filesystem::perms::owner_read);
  // No execute bit (not even root may run it): an error naming the file and the reason, not an
  // exit code 127 that looks like the program's own.
  auto not_executable = RunSubprocess({file});
  ASSERT_FALSE(not_executable.ok());
  EXPECT_EQ(not_executable.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(not_executable.status().message().find("cannot execute it: '" + file + "'"),
            absl::string_view::npos)
      << not_executable.status();
  EXPECT_NE(not_executable.status().message().find("Permission denied"), absl::string_view::npos)
      << not_executable.status();
  auto missing = RunSubprocess({dir + "/no-such-program"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  // The same file made executable runs.
  std::filesystem::permissions(file, std::filesystem::perms::owner_all);
  auto runs = RunSubprocess({file});
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_EQ(runs->out, "hi\n");
  SubprocessOptions options;
  options.working_dir = dir + "/missing";
  auto bad_dir = RunSubprocess({"/bin/true"}, options);
  ASSERT_FALSE(bad_dir.ok());
  EXPECT_NE(bad_dir.status().message().find("working directory"), absl::string_view::npos)
      << bad_dir.status();
  std::filesystem::remove_all(dir);
}

TEST(SubprocessSandboxTest, ChildThatClosesItsOutputStillTimesOut) {
  SubprocessOptions options;
  options.timeout_seconds = 0.5;
  const auto start = std::chrono::steady_clock::now();
  auto r = RunSubprocess({"sh", "-c", "exec >&- 2>&-; sleep 30"}, options);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(secs, 10.0);
}

// Cycle counters where the machine has them; otherwise the child still runs, counters stay -1
// and the reason names the cause (this VM: no PMU).
TEST(SubprocessSandboxTest, CountsUserCyclesWhereAvailable) {
  SubprocessOptions o;
  o.count_user_cycles = true;
  auto r = RunSubprocess({"sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"}, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok()) << r->Describe();
  if (CountersAvailable().ok()) {
    EXPECT_GT(r->counters.cycles, 1000000);
    EXPECT_GT(r->counters.instructions, 1000000);
    SubprocessOptions off;
    EXPECT_EQ(RunSubprocess({"true"}, off)->counters.cycles, -1);
  } else {
    EXPECT_EQ(r->counters.cycles, -1);
    EXPECT_EQ(r->counters.instructions, -1);
    EXPECT_NE(CountersAvailable().message().find("cycle counters unavailable: "), std::string::npos)
        << CountersAvailable();
  }
}

TEST(SubprocessSandboxTest, OutputFileGetsBothStreamsAppended) {
  const std::string log = ::testing::TempDir() + "/subprocess_output_file.log";
  std::filesystem::remove(log);
  SubprocessOptions options;
  options.output_file = log;
  for (int i = 0; i < 2; ++i) {
    auto r = RunSubprocess({"sh", "-c", "echo out; echo err >&2"}, options);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->ok());
    EXPECT_EQ(r->out, "");
    EXPECT_EQ(r->err, "");
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "out\nerr\nout\nerr\n");
  options.output_file = "/nonexistent-dir/x.log";
  auto bad = RunSubprocess({"true"}, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("open its output file"), std::string::npos)
      << bad.status();
}

// Whether the child a (killed) starter process left behind is still alive after `seconds`.
bool ChildOutlivesItsStarter(int parent_death_signal, double seconds) {
  const std::string pid_file = ::testing::TempDir() + "/orphan.pid";
  std::filesystem::remove(pid_file);
  const pid_t starter = fork();
  if (starter == 0) {
    SubprocessOptions o;
    o.parent_death_signal = parent_death_signal;
    (void)RunSubprocess({"sh", "-c", "echo $$ > " + pid_file + ".tmp && mv " + pid_file +
                                         ".tmp " + pid_file + " && exec sleep 300"},
                        o);
    _exit(0);
  }
  pid_t child = 0;
  for (int i = 0; i < 200 && child == 0; ++i) {
    std::ifstream in(pid_file);
    if (!(in >> child)) child = 0;
    if (child == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(starter, SIGKILL);
  waitpid(starter, nullptr, 0);
  if (child <= 0) return false;
  auto alive = [child] {
    waitpid(child, nullptr, WNOHANG);  // reaped here if it was reparented to us
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, comm, state;
    return static_cast<bool>(stat >> pid >> comm >> state) && state != "Z";
  };
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (alive() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const bool survived = alive();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);  // ECHILD unless it was reparented to us
  return survived;
}

TEST(SubprocessSandboxTest, ParentDeathSignalEndsTheChildWithItsStarter) {
  EXPECT_TRUE(ChildOutlivesItsStarter(0, 1.0)) << "without the option the child lives on";
  EXPECT_FALSE(ChildOutlivesItsStarter(SIGTERM, 5.0));
}

}  // namespace
}  // namespace passrl
