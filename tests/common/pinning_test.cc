#include "common/pinning.h"

#include <sched.h>

#include <thread>

#include "gtest/gtest.h"

namespace passrl {
namespace {

TEST(PinningTest, AllowedCoresAreInOurAffinityMask) {
  auto cores = AllowedPhysicalCores();
  ASSERT_TRUE(cores.ok()) << cores.status();
  ASSERT_FALSE(cores->empty());
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
  for (int cpu : *cores) EXPECT_TRUE(CPU_ISSET(cpu, &mine)) << cpu;
  EXPECT_TRUE(std::is_sorted(cores->begin(), cores->end()));
  EXPECT_LE(static_cast<int>(cores->size()), CPU_COUNT(&mine));
}

TEST(PinningTest, BindsAThreadAndReportsIt) {
  const int cpu = AllowedPhysicalCores()->back();
  std::thread t([cpu] {
    ASSERT_TRUE(BindToCpu(cpu).ok());
    EXPECT_EQ(DescribeBinding(), std::to_string(cpu));
    EXPECT_EQ(sched_getcpu(), cpu);
  });
  t.join();
}

TEST(PinningTest, BindingToAMissingCpuIsAnError) {
  std::thread t([] {
    absl::Status s = BindToCpu(4000);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("4000"), absl::string_view::npos);
  });
  t.join();
}

}  // namespace
}  // namespace passrl
