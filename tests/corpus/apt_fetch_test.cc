// Fetch-and-build of one real, small Debian source package (zlib) through Debian's archive, with
// the private apt configuration: needs the network (CTest label `network`).
#include <sstream>

#include "corpus/apt_source.h"
#include "corpus/debian_corpus.h"
#include "envs/dataset.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::corpus {
namespace {

TEST(AptFetchTest, BuildsZlibIntoVerifiedDistinctModules) {
  const std::string cache = testing::TempDir();
  AptSourceOptions apt_options;
  apt_options.dir = cache + "/debian/apt";
  AptSource apt(apt_options);
  CorpusBuildOptions options;
  options.cache_dir = cache;
  options.packages = {{"zlib", "compression", envs::Split::kTrain},
                      {"no-such-package-passrl", "other", envs::Split::kTrain}};
  options.inspect = ChildInspector(PASSRL_BINARY, cache, 120);
  std::ostringstream progress;
  auto summary = BuildDebianCorpus(options, apt, progress);
  ASSERT_TRUE(summary.ok()) << summary.status() << "\n" << progress.str();
  EXPECT_EQ(summary->packages_ok, 1) << progress.str();
  EXPECT_EQ(summary->packages_failed, 1);
  EXPECT_GE(summary->modules, 10) << progress.str();
  EXPECT_NE(progress.str().find("Debian has no source package 'no-such-package-passrl'"),
            std::string::npos) << progress.str();
  envs::DatasetOptions dataset = envs::DatasetOptions::Defaults();
  dataset.build.cache_dir = cache;
  auto deflate = envs::LoadBenchmark("debian/zlib/deflate", dataset);
  ASSERT_TRUE(deflate.ok()) << deflate.status();
  EXPECT_GT(testing::CountInstructionsWithLlvmDis(deflate->bitcode), 1000);
}

}  // namespace
}  // namespace passrl::corpus
