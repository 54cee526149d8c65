#include "common/subprocess.h"

#include <signal.h>

#include <chrono>

#include "gtest/gtest.h"

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
  EXPECT_EQ(r->Describe(), "killed by signal 11");
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
