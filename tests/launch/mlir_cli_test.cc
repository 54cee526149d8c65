// The MLIR graph task through the passrl binary, as a user runs it: env, search, optimize and
// eval on an ONNX model (built in C++, imported by the binary), results checked by reading back
// the graphs the commands write.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/subprocess.h"
#include "corpus/onnx_import.h"
#include "envs/compiler.h"
#include "gtest/gtest.h"
#include "tests/corpus/onnx_models.h"
#include "tests/launch/command_fixtures.h"
#include "tests/test_util.h"

namespace passrl {
namespace {

class MlirCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("PASSRL_CACHE_DIR", testing::TestDatasetOptions().build.cache_dir.c_str(), 1);
  }
  static std::string Model() {
    const std::string path = ::testing::TempDir() + "/mini_cli.onnx";
    std::ofstream(path, std::ios::binary) << corpus::testing::MiniResNet();
    return path;
  }
  // The number after `prefix` in `text` (-1 when absent).
  static long long After(const std::string& text, const std::string& prefix) {
    const size_t at = text.find(prefix);
    return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + prefix.size());
  }
  // The op count `passrl env --compiler mlir` reads from a written graph (already lowered).
  static long long OpsIn(const std::string& graph) {
    SubprocessResult r = testing::RunPassrl({"env", "--compiler", "mlir", "-b", graph});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return After(r.out, "ops ");
  }
};

TEST_F(MlirCliTest, SearchWritesAGraphWithTheCountItReports) {
  const std::string out = ::testing::TempDir() + "/search_best.mlir";
  SubprocessResult r = testing::RunPassrl({"search", "--compiler", "mlir", "-b", Model(),
                                           "--rollouts", "4", "--length", "5", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const long long best = After(r.out, "best ");
  const long long start = After(r.out, "start ");
  ASSERT_GT(best, 0) << r.out;
  EXPECT_LE(best, start);
  EXPECT_EQ(OpsIn(out), best);
}

TEST_F(MlirCliTest, OptimizeNeverReturnsMoreOpsThanTheReference) {
  const std::string run = ::testing::TempDir() + "/mlir_untrained";
  std::filesystem::remove_all(run);
  testing::WriteUntrainedCheckpoint(run, envs::SpecOf(envs::Compiler::kMlir).action_space_hash(),
                                    6, 9, envs::Compiler::kMlir);
  const std::string out = ::testing::TempDir() + "/optimized.mlir";
  SubprocessResult r = testing::RunPassrl({"optimize", Model(), "--policy", run + "/checkpoints",
                                           "--rollouts", "3", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const long long reference = After(r.out, "lowering, ");
  ASSERT_GT(reference, 0) << r.out;
  const long long written = OpsIn(out);
  EXPECT_LE(written, reference) << r.out;
  EXPECT_NE(r.out.find(std::to_string(written) + " ops"), std::string::npos) << r.out;
  // The written graph was run against the start graph (mlir-cpu-runner-16) before it was written.
  EXPECT_NE(r.out.find("output check: the result matches the start graph"), std::string::npos) << r.out;
  SubprocessResult skipped = testing::RunPassrl({"optimize", Model(), "--policy", run + "/checkpoints",
                                                 "--rollouts", "1", "--check-elements", "10"});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_NE(skipped.out.find("output check skipped"), std::string::npos) << skipped.out;
}

TEST_F(MlirCliTest, PoliciesAndGraphsOfTheOtherCompilerAreOneLineErrors) {
  const std::string llvm_run = ::testing::TempDir() + "/llvm_untrained";
  std::filesystem::remove_all(llvm_run);
  testing::WriteUntrainedCheckpoint(llvm_run, envs::ActionSpaceHash(), 6);
  SubprocessResult r = testing::RunPassrl({"optimize", Model(), "--policy", llvm_run + "/checkpoints"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("orders LLVM passes"), std::string::npos) << r.err;
  SubprocessResult unknown = testing::RunPassrl({"env", "--compiler", "mlir", "-b", Model(), "-a", "gvn"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown mlir action 'gvn'"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace passrl
