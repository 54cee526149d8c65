// The paired estimator on synthetic timings with a known truth: its interval covers the true
// speedup at the stated rate, it resists an outlier, it cancels drift that a comparison of two
// separately measured medians does not, and the stopping rule stops for the stated reasons.
#include "envs/paired_timing.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace passrl::envs {
namespace {

// Pairs of times where B is `speedup` times slower than A, with a machine speed that drifts
// slowly (shared by both runs of a pair) and independent per-run noise.
void Simulate(std::mt19937_64& rng, int pairs, double speedup, double drift_sd, double noise_sd,
              std::vector<double>& a, std::vector<double>& b) {
  std::normal_distribution<double> drift(0, drift_sd), noise(0, noise_sd);
  a.clear();
  b.clear();
  double machine = 0;
  for (int i = 0; i < pairs; ++i) {
    machine += drift(rng);
    a.push_back(0.1 * std::exp(machine + noise(rng)));
    b.push_back(0.1 * speedup * std::exp(machine + noise(rng)));
  }
}

TEST(PairedTimingTest, IntervalCoversTheTrueSpeedupAtTheStatedRate) {
  for (int pairs : {3, 8, 20}) {
    std::mt19937_64 rng(pairs);
    int covered = 0;
    const int kTrials = 4000;
    std::vector<double> a, b;
    for (int t = 0; t < kTrials; ++t) {
      Simulate(rng, pairs, 1.05, 0.05, 0.02, a, b);
      const PairedEstimate e = EstimatePaired(a, b);
      ASSERT_EQ(e.pairs, pairs);
      covered += e.log_low <= std::log(1.05) && std::log(1.05) <= e.log_high;
    }
    const double rate = static_cast<double>(covered) / kTrials;
    EXPECT_GT(rate, 0.935) << pairs << " pairs";
    EXPECT_LT(rate, 0.965) << pairs << " pairs";
  }
}

// The stopping rule looks after every pair: run to its end on no change, it must call few of them
// significant (a 95% test at each look would call ~15%), and still find a real 5% change.
TEST(PairedTimingTest, SequentialRuleKeepsFalseSignificanceNearFivePercent) {
  const PairedOptions options;  // the defaults: 2..10 pairs
  for (double speedup : {1.0, 1.05}) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> drift(0, 0.02), noise(0, 0.015);
    int significant = 0;
    const int kTrials = 4000;
    for (int t = 0; t < kTrials; ++t) {
      std::vector<double> a, b;
      double machine = 0;
      PairedEstimate e;
      do {
        machine += drift(rng);
        a.push_back(0.1 * std::exp(machine + noise(rng)));
        b.push_back(0.1 * speedup * std::exp(machine + noise(rng)));
        e = EstimatePaired(a, b);
      } while (NextPairedStep(e, options) == PairedStop::kContinue);
      significant += e.significant();
    }
    const double rate = static_cast<double>(significant) / kTrials;
    if (speedup == 1.0) {
      EXPECT_LT(rate, 0.06) << "false significance";
    } else {
      EXPECT_GT(rate, 0.9) << "power at a 5% change";
    }
  }
}

TEST(PairedTimingTest, PairingCancelsDriftThatSeparateMediansSuffer) {
  std::mt19937_64 rng(7);
  double paired_ss = 0, unpaired_ss = 0;
  std::vector<double> a, b;
  for (int t = 0; t < 300; ++t) {
    Simulate(rng, 10, 1.03, 0.03, 0.01, a, b);
    const double truth = std::log(1.03);
    paired_ss += std::pow(EstimatePaired(a, b).log_ratio - truth, 2);
    // Unpaired: B timed first, then A, each by its median.
    std::vector<double> b_first(b.begin(), b.begin() + 5), a_after(a.begin() + 5, a.end());
    std::sort(b_first.begin(), b_first.end());
    std::sort(a_after.begin(), a_after.end());
    unpaired_ss += std::pow(std::log(b_first[2] / a_after[2]) - truth, 2);
  }
  EXPECT_LT(std::sqrt(paired_ss) * 3, std::sqrt(unpaired_ss));
}

TEST(PairedTimingTest, OneSlowRunBarelyMovesTheEstimate) {
  std::vector<double> a = {0.100, 0.101, 0.099, 0.100, 0.100, 0.102, 0.100};
  std::vector<double> b = {0.110, 0.111, 0.109, 0.110, 0.110, 0.112, 0.110};
  const double clean = EstimatePaired(a, b).log_ratio;
  EXPECT_NEAR(clean, std::log(1.1), 0.002);
  a[3] = 0.150;  // the neighbour woke up during one run of A
  EXPECT_NEAR(EstimatePaired(a, b).log_ratio, clean, 0.01);
}

TEST(PairedTimingTest, SignificanceNeedsTwoPairsAndAnIntervalExcludingZero) {
  PairedEstimate one = EstimatePaired({0.1}, {0.2});
  EXPECT_FALSE(one.significant());
  EXPECT_NEAR(one.speedup(), 2.0, 1e-12);
  PairedEstimate faster = EstimatePaired({0.10, 0.101, 0.099}, {0.20, 0.201, 0.199});
  EXPECT_TRUE(faster.significant());
  EXPECT_GT(faster.speedup_low(), 1.9);
  EXPECT_LT(faster.speedup_high(), 2.1);
  PairedEstimate slower = EstimatePaired({0.20, 0.201, 0.199}, {0.10, 0.101, 0.099});
  EXPECT_TRUE(slower.significant());
  EXPECT_LT(slower.log_high, 0);
  PairedEstimate noise = EstimatePaired({0.100, 0.102, 0.099, 0.101}, {0.101, 0.100, 0.100, 0.102});
  EXPECT_FALSE(noise.significant());
  EXPECT_LT(noise.log_low, 0);
  EXPECT_GT(noise.log_high, 0);
}

TEST(PairedTimingTest, StoppingRule) {
  PairedOptions o;
  o.min_pairs = 3;
  o.max_pairs = 6;
  o.target_half_width = 0.005;
  EXPECT_EQ(NextPairedStep(EstimatePaired({0.1, 0.1}, {0.2, 0.2}), o), PairedStop::kContinue);
  EXPECT_EQ(NextPairedStep(EstimatePaired({0.1, 0.101, 0.099}, {0.2, 0.201, 0.199}), o),
            PairedStop::kSignificant);
  EXPECT_EQ(NextPairedStep(EstimatePaired({0.1, 0.1, 0.1}, {0.1, 0.1001, 0.0999}), o),
            PairedStop::kNarrow);
  EXPECT_EQ(NextPairedStep(EstimatePaired({0.1, 0.11, 0.1}, {0.105, 0.1, 0.102}), o),
            PairedStop::kContinue);
  EXPECT_EQ(NextPairedStep(EstimatePaired({0.1, 0.11, 0.1, 0.1, 0.11, 0.1},
                                          {0.105, 0.1, 0.102, 0.105, 0.1, 0.102}),
                           o),
            PairedStop::kCap);
}

TEST(PairedTimingTest, TQuantilesAndBadOptions) {
  EXPECT_NEAR(StudentT975(1), 12.706, 1e-3);
  EXPECT_NEAR(StudentT975(10), 2.228, 1e-3);
  EXPECT_NEAR(StudentT975(40), 2.021, 2e-3);
  EXPECT_NEAR(StudentT975(120), 1.980, 2e-3);
  EXPECT_NEAR(StudentT995(2), 9.925, 1e-3);
  EXPECT_NEAR(StudentT995(60), 2.660, 3e-3);
  PairedOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.min_pairs = 1;
  EXPECT_NE(o.Validate().message().find("min_pairs"), absl::string_view::npos);
  o = {};
  o.max_pairs = 1;
  EXPECT_NE(o.Validate().message().find("max_pairs"), absl::string_view::npos);
  EXPECT_EQ(*ParseInsignificant("zero"), Insignificant::kZero);
  EXPECT_EQ(*ParseInsignificant("estimate"), Insignificant::kEstimate);
  EXPECT_NE(ParseInsignificant("half").status().message().find("zero or estimate"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace passrl::envs
