#include "sweep/driver.h"

#include <filesystem>
#include <map>

#include "gtest/gtest.h"

namespace passrl::sweep {
namespace {

// Stands in for the local or Slurm launcher: each started job "runs" until the next Wait, which
// writes its result (score = the trial's quality + 0.01 per rung) as a real job would, except for
// trials in `silent`, which end without a result.
class FakeLauncher : public TrialLauncher {
 public:
  FakeLauncher(SweepDir dir, std::vector<double> quality, int capacity)
      : dir_(std::move(dir)), quality_(std::move(quality)), capacity_(capacity) {}
  int Capacity() const override { return capacity_; }
  absl::Status Start(const std::vector<Job>& jobs) override {
    for (const Job& j : jobs) {
      EXPECT_LT(static_cast<int>(in_flight_.size()), capacity_);
      in_flight_.push_back(j);
      ++starts[j];
    }
    return absl::OkStatus();
  }
  std::vector<Job> Wait(double) override {
    now += 100;
    std::vector<Job> ended;
    ended.swap(in_flight_);
    for (const Job& j : ended) {
      if (silent.count(j.trial)) continue;
      RungResult r{j.trial, j.rung, quality_[static_cast<size_t>(j.trial)] + 0.01 * j.rung, false,
                   100.0 * (j.rung + 1), 100};
      EXPECT_TRUE(dir_.WriteResult(r, "").ok());
    }
    if (on_wait) on_wait();
    return ended;
  }
  std::string LogOf(const Job& job) const override { return dir_.LogPath(job.trial); }

  std::map<Job, int> starts;
  std::set<int> silent;
  std::function<void()> on_wait;
  double now = 0;

 private:
  SweepDir dir_;
  std::vector<double> quality_;
  std::vector<Job> in_flight_;
  int capacity_;
};

class SweepDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/sweep_driver_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    for (int t = 0; t < 6; ++t) std::filesystem::create_directories(SweepDir(root_).TrialDir(t));
  }
  DriverOptions Options(double budget = 0) const {
    return {{6, 2, 3}, {100, 200}, budget, 0};
  }
  std::vector<std::string> lines_;
  std::string root_;
};

const std::vector<double> kQuality = {0.7, 0.9, 0.1, 0.8, 0.95, 0.6};

TEST_F(SweepDriverTest, RunsEveryJobOnceAndPromotesTheBest) {
  const SweepDir dir(root_);
  FakeLauncher launcher(dir, kQuality, 2);
  SweepDriver driver(Options(), dir, &launcher, [this](const std::string& l) { lines_.push_back(l); },
                     [&launcher] { return launcher.now; });
  ASSERT_TRUE(driver.Run().ok());
  auto results = dir.ReadResults(6, 2);
  ASSERT_TRUE(results.ok());
  for (const auto& [job, n] : launcher.starts) EXPECT_EQ(n, 1) << job.trial << "/" << job.rung;
  EXPECT_EQ(launcher.starts.count({2, 1}), 0u) << "the useless trial was promoted";
  const std::vector<RungResult> ranked = Rank(*results);
  ASSERT_EQ(ranked.size(), 6u);
  EXPECT_EQ(ranked.back().trial, 2);
  EXPECT_EQ(ranked[0].rung, 1);
  EXPECT_FALSE(lines_.empty());
}

TEST_F(SweepDriverTest, AResumedSweepRerunsNothingFinished) {
  const SweepDir dir(root_);
  std::map<Job, int> finished_before;
  {
    FakeLauncher launcher(dir, kQuality, 2);
    SweepDriver driver(Options(), dir, &launcher, [](const std::string&) {},
                       [&launcher] { return launcher.now; });
    int waits = 0;
    launcher.on_wait = [&] {
      if (++waits == 2) driver.RequestStop();
    };
    EXPECT_TRUE(absl::IsCancelled(driver.Run()));
    const auto results = dir.ReadResults(6, 2);
    ASSERT_TRUE(results.ok());
    for (const RungResult& r : *results) finished_before[{r.trial, r.rung}] = 1;
    ASSERT_EQ(finished_before.size(), 4u);
  }
  FakeLauncher launcher(dir, kQuality, 2);
  SweepDriver driver(Options(), dir, &launcher, [this](const std::string& l) { lines_.push_back(l); },
                     [&launcher] { return launcher.now; });
  ASSERT_TRUE(driver.Run().ok());
  for (const auto& [job, n] : launcher.starts) {
    EXPECT_EQ(finished_before.count(job), 0u) << "re-ran trial " << job.trial << " rung " << job.rung;
  }
  EXPECT_EQ(dir.ReadResults(6, 2)->size(), 8u);  // 6 at rung 0, floor(6/3) = 2 at rung 1
  EXPECT_NE(lines_[0].find("resuming: 4 jobs finished"), std::string::npos) << lines_[0];
}

TEST_F(SweepDriverTest, NoNewJobAfterTheBudget) {
  const SweepDir dir(root_);
  FakeLauncher launcher(dir, kQuality, 1);
  SweepDriver driver(Options(/*budget=*/250), dir, &launcher, [](const std::string&) {},
                     [&launcher] { return launcher.now; });
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_TRUE(driver.budget_spent());
  EXPECT_EQ(launcher.starts.size(), 3u);  // started at t = 0, 100, 200; none at 300
}

TEST_F(SweepDriverTest, TheBudgetCountsEarlierDriversTime) {
  const SweepDir dir(root_);
  {
    FakeLauncher launcher(dir, kQuality, 1);
    SweepDriver driver(Options(/*budget=*/250), dir, &launcher, [](const std::string&) {},
                       [&launcher] { return launcher.now; });
    int waits = 0;
    launcher.on_wait = [&] {
      if (++waits == 2) driver.RequestStop();
    };
    EXPECT_TRUE(absl::IsCancelled(driver.Run()));
    EXPECT_EQ(launcher.starts.size(), 2u);
  }
  EXPECT_DOUBLE_EQ(dir.ReadDriverSeconds(), 200);
  FakeLauncher launcher(dir, kQuality, 1);
  SweepDriver driver(Options(/*budget=*/250), dir, &launcher, [](const std::string&) {},
                     [&launcher] { return launcher.now; });
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_TRUE(driver.budget_spent());
  EXPECT_EQ(launcher.starts.size(), 1u);  // at 200 s of 250; none at 300
}

TEST_F(SweepDriverTest, AJobWithoutAResultFailsNamingItsLog) {
  const SweepDir dir(root_);
  FakeLauncher launcher(dir, kQuality, 1);
  launcher.silent = {4};
  SweepDriver driver(Options(), dir, &launcher, [this](const std::string& l) { lines_.push_back(l); },
                     [&launcher] { return launcher.now; });
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(dir.ResultError({4, 0}),
            "the job ended without a result (see " + dir.LogPath(4) + ")");
  const auto results = dir.ReadResults(6, 2);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE(Rank(*results).back().failed);
  EXPECT_EQ(launcher.starts.count({4, 1}), 0u);
}

}  // namespace
}  // namespace passrl::sweep
