#include "common/durable_file.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "common/file_cache.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl {
namespace {

TEST(DurableFileTest, WritesAndReplaces) {
  const std::string dir = testing::TempDir();
  const std::string path = dir + "/latest";
  ASSERT_TRUE(ReplaceFileDurably(path, "ckpt-1\n").ok());
  ASSERT_TRUE(ReplaceFileDurably(path, "ckpt-2\n").ok());
  std::string got;
  ASSERT_TRUE(ReadFileToString(path, &got).ok());
  EXPECT_EQ(got, "ckpt-2\n");
  // No temp file left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(DurableFileTest, MissingDirectoryNamesThePath) {
  absl::Status s = WriteFileDurably("/nonexistent-dir/x/file.bin", "abc");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/nonexistent-dir/x/file.bin"), std::string::npos) << s;
}

// A full disk, modelled with RLIMIT_FSIZE (writes past the limit fail with EFBIG): the error says
// so, the partial file is removed, and the previous contents of a replaced file survive.
TEST(DurableFileTest, DiskFullLeavesNoPartialFileAndKeepsThePrevious) {
  const std::string dir = testing::TempDir();
  const std::string path = dir + "/latest";
  ASSERT_TRUE(ReplaceFileDurably(path, "old").ok());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit limit{1000, 1000};
    setrlimit(RLIMIT_FSIZE, &limit);
    absl::Status s = ReplaceFileDurably(path, std::string(5000, 'n'));
    const bool ok = s.code() == absl::StatusCode::kResourceExhausted &&
                    s.message().find("disk full") != absl::string_view::npos;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the write did not fail with a disk-full error";
  std::string got;
  ASSERT_TRUE(ReadFileToString(path, &got).ok());
  EXPECT_EQ(got, "old");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1) << "a partial temp file was left behind";
}

}  // namespace
}  // namespace passrl
