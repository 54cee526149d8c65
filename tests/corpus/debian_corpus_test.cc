#include "corpus/debian_corpus.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/file_cache.h"
#include "envs/dataset.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::corpus {
namespace {
namespace fs = std::filesystem;

// Source packages from local folders (the builder's collaborator; the real one is AptSource,
// exercised by apt_fetch_test). Counts fetches so tests can see what a rerun redoes.
class LocalFetcher : public SourceFetcher {
 public:
  explicit LocalFetcher(std::string root) : root_(std::move(root)) {}
  absl::Status Update() override { return absl::OkStatus(); }
  absl::StatusOr<std::string> Fetch(const std::string& package,
                                    const std::string& parent) override {
    ++fetches[package];
    if (!fs::exists(root_ + "/" + package)) {
      return absl::NotFoundError("no source package '" + package + "'");
    }
    fs::remove_all(parent);
    fs::create_directories(parent);
    fs::copy(root_ + "/" + package, parent + "/" + package + "-1.0", fs::copy_options::recursive);
    return parent + "/" + package + "-1.0";
  }
  std::string Version(const std::string&) override { return "1.0-1"; }
  std::map<std::string, int> fetches;

 private:
  std::string root_;
};

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

// A C function of about 100 instructions at -O0.
std::string Body(const std::string& name) {
  std::string s = "int " + name + "(int *a, int n) { int s = 0;\n";
  for (int i = 0; i < 12; ++i) {
    s += "  for (int i = 0; i < n; ++i) s += a[i] * " + std::to_string(i + 2) + ";\n";
  }
  return s + "  return s; }\n";
}

class DebianCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::TempDir();
    const std::string src = root_ + "/sources";
    // "good": two real modules, a copy of one under another name, a trivial unit and a unit
    // that crashes clang; built by its Makefile, which keeps going past the crash (make -k).
    Write(src + "/good/Makefile",
          "OBJS = lib/a.o b.o copy_of_a.o tiny.o crash.o\nall: $(OBJS)\n"
          "%.o: %.c\n\t$(CC) $(CFLAGS) -DSCALE=3 -c $< -o $@\n");
    Write(src + "/good/lib/a.c", Body("alpha"));
    Write(src + "/good/b.c", Body("beta"));
    Write(src + "/good/copy_of_a.c", Body("alpha"));
    Write(src + "/good/tiny.c", "int tiny(void) { return SCALE; }\n");
    Write(src + "/good/crash.c", "#pragma clang __debug crash\nint x;\n");
    Write(src + "/hang/Makefile", "all:\n\tsleep 300\n");
    Write(src + "/noc/Makefile", "all:\n\ttrue\n");
    Write(src + "/nobuild/README", "documentation only\n");
    // As expat's Debian source: the code and its build system in one subfolder.
    Write(src + "/nested/README", "see lib/\n");
    Write(src + "/nested/debian/rules", "#!/usr/bin/make -f\n");
    Write(src + "/nested/lib/Makefile", "all: n.o\n%.o: %.c\n\t$(CC) -c $< -o $@\n");
    Write(src + "/nested/lib/n.c", Body("nested"));
    fetcher_ = std::make_unique<LocalFetcher>(src);
    options_.cache_dir = root_ + "/cache";
    options_.build.timeout_seconds = 4;  // "hang" runs into it
    options_.inspect = ChildInspector(PASSRL_BINARY, options_.cache_dir, 120);
    for (const char* name : {"good", "missing", "hang", "noc", "nobuild", "nested"}) {
      options_.packages.push_back({name, "test", envs::Split::kTrain});
    }
  }
  envs::PackageResult Result(const std::string& package) {
    std::string text;
    EXPECT_TRUE(ReadFileToString(envs::DebianPackageDir(options_.cache_dir, package) +
                                     "/result.json", &text).ok()) << package;
    return *envs::PackageResult::FromJson(text);
  }
  std::string root_;
  std::unique_ptr<LocalFetcher> fetcher_;
  CorpusBuildOptions options_;
};

TEST_F(DebianCorpusTest, BuildsKeepsDistinctModulesAndReportsEachFailureOnOneLine) {
  std::ostringstream progress;
  auto summary = BuildDebianCorpus(options_, *fetcher_, progress);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->packages_ok, 2);
  EXPECT_EQ(summary->packages_failed, 4);
  EXPECT_EQ(summary->modules, 3);
  EXPECT_EQ(Result("nested").modules.size(), 1u);

  const envs::PackageResult good = Result("good");
  EXPECT_TRUE(good.ok);
  EXPECT_EQ(good.translation_units, 5);
  EXPECT_EQ(good.trivial, 1);
  EXPECT_EQ(good.duplicates, 1);
  ASSERT_EQ(good.tu_errors.size(), 1u);
  EXPECT_NE(good.tu_errors[0].find("crash: clang"), std::string::npos) << good.tu_errors[0];
  ASSERT_EQ(good.modules.size(), 2u);  // in source order; of two same-IR units the first is kept
  EXPECT_EQ(good.modules[0].name, "b");
  EXPECT_EQ(good.modules[1].name, "copy_of_a");
  for (const envs::CorpusModule& m : good.modules) {
    EXPECT_GE(m.instructions, 50);
    EXPECT_GT(m.baselines.ir_o0, m.baselines.ir_oz) << m.name;
  }
  EXPECT_NE(good.modules[0].ir_hash, good.modules[1].ir_hash);

  const std::string out = progress.str();
  EXPECT_NE(out.find("missing: FAILED"), std::string::npos) << out;
  EXPECT_NE(out.find("no source package 'missing'"), std::string::npos) << out;
  EXPECT_NE(Result("hang").error.find("timed out"), std::string::npos) << Result("hang").error;
  EXPECT_NE(Result("noc").error.find("no C translation units"), std::string::npos);
  EXPECT_NE(Result("nobuild").error.find("no build system"), std::string::npos);

  // The modules load as benchmarks of the debian dataset (verified bitcode, size-only).
  envs::DatasetOptions dataset = envs::DatasetOptions::Defaults();
  dataset.build.cache_dir = options_.cache_dir;
  auto b = envs::LoadBenchmark("debian/good/copy_of_a", dataset);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->runnable);
}

TEST_F(DebianCorpusTest, ARerunResumesFromCachedPackagesAndRetriesFetchFailures) {
  std::ostringstream first, second;
  ASSERT_TRUE(BuildDebianCorpus(options_, *fetcher_, first).ok());
  auto again = BuildDebianCorpus(options_, *fetcher_, second);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->modules, 3);
  EXPECT_EQ(fetcher_->fetches["good"], 1) << second.str();
  EXPECT_EQ(fetcher_->fetches["hang"], 1) << "a failed build is cached";
  EXPECT_EQ(fetcher_->fetches["missing"], 2) << "a failed fetch is retried";
  EXPECT_NE(second.str().find("good: 2 modules"), std::string::npos) << second.str();
  EXPECT_NE(second.str().find("[cached]"), std::string::npos);
  options_.retry_failed = true;
  std::ostringstream third;
  ASSERT_TRUE(BuildDebianCorpus(options_, *fetcher_, third).ok());
  EXPECT_EQ(fetcher_->fetches["good"], 1);
  EXPECT_EQ(fetcher_->fetches["noc"], 2) << "--retry-failed rebuilds failures";
}

TEST_F(DebianCorpusTest, AnInspectorThatCannotRunStopsWithoutCachingAnything) {
  options_.inspect = ChildInspector("/nonexistent/passrl", options_.cache_dir, 10);
  options_.packages.resize(1);
  std::ostringstream progress;
  auto summary = BuildDebianCorpus(options_, *fetcher_, progress);
  ASSERT_FALSE(summary.ok());
  EXPECT_TRUE(absl::IsUnavailable(summary.status())) << summary.status();
  EXPECT_FALSE(fs::exists(envs::DebianPackageDir(options_.cache_dir, "good") + "/result.json"));
}

// Many modules per inspector child; one that crashes LLVM (a test hook aborts the child on it)
// costs only itself: the modules before it keep their results, those after it go to a new child.
TEST(ChildInspectorTest, ACrashCostsOnlyThatModule) {
  std::vector<std::string> paths;
  for (const char* name : {"first", "crashing", "third"}) {
    paths.push_back(testing::WriteTempFile(std::string(name) + ".bc",
                                           testing::BundledBenchmarks(1)[0].bitcode));
  }
  setenv("PASSRL_TEST_CRASH_INSPECT", "crashing", 1);
  const auto results = ChildInspector(PASSRL_BINARY, testing::TempDir(), 60)(paths);
  unsetenv("PASSRL_TEST_CRASH_INSPECT");
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok()) << results[0].status();
  ASSERT_FALSE(results[1].ok());
  EXPECT_NE(std::string(results[1].status().message()).find("signal 6"), std::string::npos)
      << results[1].status();
  ASSERT_TRUE(results[2].ok()) << results[2].status();
  EXPECT_EQ(results[0]->ir_hash, results[2]->ir_hash);
  EXPECT_GT(results[2]->instructions, 0);
}

TEST(ModuleNameTest, RelativePathWithDots) {
  EXPECT_EQ(ModuleName("/w/zlib-1.2", "/w/zlib-1.2/contrib/minizip/zip.c"), "contrib.minizip.zip");
  EXPECT_EQ(ModuleName("/w/zlib-1.2", "/elsewhere/gen.c"), "gen");
}

TEST(CorpusBuildOptionsTest, RejectsWhatCannotWork) {
  CorpusBuildOptions o;
  EXPECT_FALSE(o.Validate().ok());  // no cache dir
  o.cache_dir = "/tmp/x";
  EXPECT_FALSE(o.Validate().ok());  // no packages
  o.packages.push_back({"zlib", "compression", envs::Split::kTrain});
  EXPECT_FALSE(o.Validate().ok());  // no inspector
  o.inspect = [](const std::vector<std::string>& paths) {
    return std::vector<absl::StatusOr<envs::CorpusModule>>(paths.size());
  };
  EXPECT_TRUE(o.Validate().ok());
  o.jobs = 0;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace passrl::corpus
