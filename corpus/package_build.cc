#include "corpus/package_build.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/subprocess.h"

namespace passrl::corpus {
namespace fs = std::filesystem;
namespace {

constexpr char kBuildDir[] = "_passrl_build";

// Runs one build step, appending its output to the log; the deadline is shared by all steps.
class StepRunner {
 public:
  StepRunner(std::string dir, std::string log, double deadline)
      : dir_(std::move(dir)), log_(std::move(log)), deadline_(deadline) {}

  absl::Status Run(const std::string& step, const std::vector<std::string>& argv,
                   bool must_succeed = true) {
    const double left = deadline_ - MonotonicSeconds();
    if (left <= 0) return absl::DeadlineExceededError(absl::StrCat(step, ": out of time"));
    SubprocessOptions run;
    run.working_dir = dir_;
    run.timeout_seconds = left;
    run.max_output_bytes = 16 << 20;
    auto result = RunSubprocess(argv, run);
    if (!result.ok()) return result.status();
    std::ofstream(log_, std::ios::app) << "==== " << step << " (" << result->Describe() << ", "
                                       << result->wall_seconds << " s)\n"
                                       << result->out << result->err;
    if (result->timed_out) {
      return absl::DeadlineExceededError(absl::StrCat(step, " timed out (package time limit)"));
    }
    if (must_succeed && !result->ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(step, " failed (", result->Describe(), "): ", LastLine(result->err)));
    }
    return absl::OkStatus();
  }

 private:
  static std::string LastLine(const std::string& text) {
    std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipWhitespace());
    return lines.empty() ? "" : std::string(lines.back());
  }
  std::string dir_, log_;
  double deadline_;
};

bool Has(const std::string& dir, const char* name) { return fs::exists(fs::path(dir) / name); }

std::string DetectSystem(const std::string& dir) {
  if (Has(dir, "configure")) return "configure";
  if (Has(dir, "meson.build")) return "meson";
  if (Has(dir, "CMakeLists.txt")) return "cmake";
  if (Has(dir, "configure.ac") || Has(dir, "configure.in")) return "autoreconf";
  if (Has(dir, "Makefile") || Has(dir, "makefile") || Has(dir, "GNUmakefile")) return "make";
  return "";
}

// The folder the build runs in: the top of the tree, or, when the top has none, the one folder
// with a build system at the shallowest depth below it (up to 3): expat's Debian source keeps its
// code in expat/, lmdb's in libraries/liblmdb/.
std::string BuildRoot(const std::string& dir) {
  std::vector<std::string> level = {dir};
  for (int depth = 0; depth <= 3 && !level.empty(); ++depth) {
    std::vector<std::string> found, next;
    for (const std::string& d : level) {
      if (!DetectSystem(d).empty()) {
        found.push_back(d);
        continue;
      }
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(d, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory() && name != "debian" && name[0] != '.') {
          next.push_back(entry.path().string());
        }
      }
    }
    if (!found.empty()) return found.size() == 1 ? found[0] : dir;
    level = std::move(next);
  }
  return dir;
}

}  // namespace

absl::StatusOr<PackageBuild> BuildPackage(const std::string& source_dir,
                                          const std::string& work_dir,
                                          const PackageBuildOptions& options) {
  PackageBuild build;
  const std::string root = BuildRoot(source_dir);
  build.system = DetectSystem(root);
  if (build.system.empty()) {
    return absl::FailedPreconditionError(
        "no build system found (no configure, configure.ac, meson.build, CMakeLists.txt or "
        "Makefile at the top of the source tree or in one folder below it)");
  }
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  build.log = work_dir + "/build.log";
  build.compile_commands = work_dir + "/compile_commands.json";
  fs::remove(build.log, ec);
  fs::remove(build.compile_commands, ec);
  const double start = MonotonicSeconds();
  StepRunner steps(root, build.log, start + options.timeout_seconds);
  const std::string cc = "CC=" + options.clang;
  const std::vector<std::string> env = {"env", cc, "CFLAGS=-O0 -g0 -w", "CPPFLAGS=", "LDFLAGS="};
  const std::string jobs = absl::StrCat("-j", options.jobs);
  std::vector<std::string> bear = {"bear", "--output", build.compile_commands, "--"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  absl::Status status;
  if (build.system == "configure" || build.system == "autoreconf") {
    if (build.system == "autoreconf") status = steps.Run("autoreconf", {"autoreconf", "-fi"});
    if (status.ok()) status = steps.Run("configure", with(env, {"sh", "./configure"}));
    if (status.ok()) status = steps.Run("make", with(bear, with(env, {"make", "-k", jobs})), false);
  } else if (build.system == "meson") {
    status = steps.Run("meson setup", with(env, {"meson", "setup", kBuildDir}));
    if (status.ok()) {
      status = steps.Run("ninja", with(bear, {"ninja", "-C", kBuildDir, "-k", "0", jobs}), false);
    }
  } else if (build.system == "cmake") {
    status = steps.Run("cmake", with(env, {"cmake", "-S", ".", "-B", kBuildDir,
                                           "-DCMAKE_BUILD_TYPE=Debug",
                                           "-DCMAKE_C_COMPILER=" + options.clang}));
    if (status.ok()) {
      status = steps.Run("make", with(bear, {"make", "-C", kBuildDir, "-k", jobs}), false);
    }
  } else {
    status = steps.Run("make", with(bear, {"make", "-k", jobs, cc, "CFLAGS=-O0 -g0 -w"}), false);
  }
  build.seconds = MonotonicSeconds() - start;
  if (!status.ok()) return status;
  if (!fs::exists(build.compile_commands)) {
    return absl::FailedPreconditionError("the build ran no compiler (no compile_commands.json)");
  }
  return build;
}

}  // namespace passrl::corpus
