#include "envs/split.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/file_cache.h"
#include "envs/dataset.h"
#include "envs/debian_index.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

TEST(SplitTest, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(*ParseSplit("train"), Split::kTrain);
  EXPECT_EQ(*ParseSplit("validation"), Split::kValidation);
  EXPECT_EQ(*ParseSplit("valid"), Split::kValidation);
  EXPECT_EQ(*ParseSplit("test"), Split::kTest);
  EXPECT_EQ(*ParseSplit("all"), Split::kAll);
  auto bad = ParseSplit("tset");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("tset"), std::string::npos);
}

TEST(SplitTest, HashSplitIsStableAndRoughly80_10_10) {
  std::map<Split, int> counts;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "file" + std::to_string(i) + ".c";
    EXPECT_EQ(HashSplit(key), HashSplit(key));
    ++counts[HashSplit(key)];
  }
  EXPECT_NEAR(counts[Split::kTrain], 4000, 200);
  EXPECT_NEAR(counts[Split::kValidation], 500, 100);
  EXPECT_NEAR(counts[Split::kTest], 500, 100);
  // Fixed on every machine: a change of hash would silently move test programs into training.
  EXPECT_EQ(HashSplit("nqueens.c"), HashSplit(std::string("nqueens") + ".c"));
}

TEST(SplitTest, CsmithRangesAreDisjointAndKeepTheOldHeldOutSeedsInTest) {
  for (uint64_t seed : {1ull, 20ull, 1000ull}) EXPECT_EQ(CsmithSplitOf(seed), Split::kTest);
  EXPECT_EQ(CsmithSplitOf(1001), Split::kValidation);
  EXPECT_EQ(CsmithSplitOf(2000), Split::kValidation);
  EXPECT_EQ(CsmithSplitOf(2001), Split::kTrain);
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    auto [first, last] = CsmithSplitRange(s);
    EXPECT_EQ(CsmithSplitOf(first), s);
    EXPECT_EQ(CsmithSplitOf(last), s);
  }
  DatasetOptions options = testing::TestDatasetOptions();
  options.csmith_count = 30;
  auto csmith = OpenDataset("csmith", options);
  ASSERT_TRUE(csmith.ok());
  std::set<std::string> seen;
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const auto names = (*csmith)->BenchmarkNames(s);
    EXPECT_EQ(names.size(), 30u);
    for (const std::string& name : names) {
      EXPECT_EQ((*csmith)->SplitOf(name), s) << name;
      EXPECT_TRUE(seen.insert(name).second) << name << " is in two splits";
    }
  }
}

TEST(SplitTest, BundledIsAllTrain) {
  auto bundled = OpenDataset("bundled", testing::TestDatasetOptions());
  ASSERT_TRUE(bundled.ok());
  EXPECT_EQ((*bundled)->BenchmarkNames(Split::kTrain), (*bundled)->BenchmarkNames(Split::kAll));
  EXPECT_TRUE((*bundled)->BenchmarkNames(Split::kTest).empty());
}

// A folder of 60 files: every file in exactly one split, the same one on a second opening, and
// the union is the whole folder.
TEST(SplitTest, FolderSplitsByFileNameDeterministicallyAndDisjointly) {
  const std::string dir = testing::TempDir() + "/folder";
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 60; ++i) {
    std::ofstream(dir + "/p" + std::to_string(i) + ".ll") << "define void @f() { ret void }\n";
  }
  std::map<std::string, Split> first;
  for (int round = 0; round < 2; ++round) {
    auto folder = OpenDataset(dir, testing::TestDatasetOptions());
    ASSERT_TRUE(folder.ok());
    std::set<std::string> all;
    for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
      for (const std::string& name : (*folder)->BenchmarkNames(s)) {
        EXPECT_TRUE(all.insert(name).second) << name << " is in two splits";
        if (round == 0) first[name] = s;
        EXPECT_EQ(first[name], s) << name << " moved between openings";
      }
    }
    EXPECT_EQ(all.size(), 60u);
  }
}

TEST(SplitTest, SampleIsStableAndASubset) {
  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i) names.push_back("debian/p/m" + std::to_string(i));
  const auto a = SampleNames(names, 10), b = SampleNames(names, 10);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 10u);
  for (const std::string& n : a) EXPECT_NE(std::find(names.begin(), names.end(), n), names.end());
  EXPECT_EQ(SampleNames(names, 0), names);
  EXPECT_EQ(SampleNames(names, 500), names);
}

// The Debian dataset over a hand-made corpus: packages in their listed splits, a module that two
// packages share kept once and only in the split judged first (test before train), listings
// stable across openings, and a package missing from the list split by the hash of its name.
class DebianDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::TempDir();
    options_ = testing::TestDatasetOptions();
    options_.datasets_dir = root_ + "/datasets";
    options_.build.cache_dir = root_ + "/cache";
    std::filesystem::create_directories(options_.datasets_dir + "/debian");
    std::ofstream(options_.datasets_dir + "/debian/packages.tsv")
        << "# package kind split\nalpha compression train\nbeta parser test\n"
        << "gamma numerics validation\n";
    bitcode_ = testing::BundledBenchmarks(1)[0].bitcode;
  }
  void AddPackage(const std::string& package, const std::vector<std::pair<std::string, uint64_t>>&
                                                   modules) {
    PackageResult r;
    r.package = package;
    r.ok = r.fetched = true;
    for (const auto& [name, hash] : modules) {
      CorpusModule m;
      m.name = name;
      m.ir_hash = hash;
      m.instructions = 100;
      r.modules.push_back(m);
      ASSERT_TRUE(WriteFileAtomically(DebianModulePath(options_.build.cache_dir, package, name),
                                      bitcode_).ok());
    }
    ASSERT_TRUE(WriteFileAtomically(
        DebianPackageDir(options_.build.cache_dir, package) + "/result.json", r.ToJson()).ok());
  }
  std::string root_, bitcode_;
  DatasetOptions options_;
};

TEST_F(DebianDatasetTest, NotBuiltSaysHowToBuild) {
  auto d = OpenDataset("debian", options_);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(std::string(d.status().message()).find("passrl dataset build --dataset debian"),
            std::string::npos) << d.status();
}

TEST_F(DebianDatasetTest, SplitsByPackageAndDeduplicatesTowardsTest) {
  AddPackage("alpha", {{"a1", 1}, {"shared", 7}, {"a2", 2}});
  AddPackage("beta", {{"b1", 3}, {"copy.of.shared", 7}});
  AddPackage("gamma", {{"g1", 4}});
  std::vector<std::string> first_listing;
  for (int round = 0; round < 2; ++round) {
    auto d = OpenDataset("debian", options_);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ((*d)->BenchmarkNames(Split::kTrain),
              (std::vector<std::string>{"debian/alpha/a1", "debian/alpha/a2"}));
    EXPECT_EQ((*d)->BenchmarkNames(Split::kTest),
              (std::vector<std::string>{"debian/beta/b1", "debian/beta/copy.of.shared"}));
    EXPECT_EQ((*d)->BenchmarkNames(Split::kValidation),
              (std::vector<std::string>{"debian/gamma/g1"}));
    EXPECT_EQ((*d)->BenchmarkNames().size(), 5u);  // 6 modules, one IR twice
    if (round == 0) first_listing = (*d)->BenchmarkNames();
    EXPECT_EQ((*d)->BenchmarkNames(), first_listing);
    auto b = (*d)->Load("debian/alpha/a1");
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_FALSE(b->runnable) << "a translation unit is size-only";
  }
  auto direct = LoadBenchmark("debian/gamma/g1", options_);
  EXPECT_TRUE(direct.ok()) << direct.status();
  EXPECT_FALSE(LoadBenchmark("debian/gamma/none", options_).ok());
  EXPECT_FALSE(LoadBenchmark("debian/gamma", options_).ok());
}

TEST_F(DebianDatasetTest, UnlistedPackageSplitsByHashOfItsName) {
  AddPackage("alpha", {{"a1", 1}});
  AddPackage("zeta", {{"z1", 9}});
  auto d = OpenDataset("debian", options_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->SplitOf("debian/zeta/z1"), HashSplit("zeta"));
}

TEST(DebianPackagesTest, TheReviewedListIsWellFormedAndEverySplitHasSeveralKinds) {
  auto packages = ReadDebianPackages(testing::SourceDir() + "/datasets/debian/packages.tsv");
  ASSERT_TRUE(packages.ok()) << packages.status();
  EXPECT_GE(packages->size(), 30u);
  std::map<Split, std::set<std::string>> kinds;
  for (const DebianPackage& p : *packages) kinds[p.split].insert(p.kind);
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    EXPECT_GE(kinds[s].size(), 5u) << SplitName(s);
  }
}

TEST(DebianPackagesTest, MalformedListsAreNamedByLine) {
  const std::string path = testing::WriteTempFile("bad.tsv", "zlib compression train\nzlib x test\n");
  auto twice = ReadDebianPackages(path);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(std::string(twice.status().message()).find(":2:"), std::string::npos);
  auto split = ReadDebianPackages(testing::WriteTempFile("bad2.tsv", "zlib compression everything\n"));
  ASSERT_FALSE(split.ok());
  EXPECT_NE(std::string(split.status().message()).find("everything"), std::string::npos);
}

}  // namespace
}  // namespace passrl::envs
