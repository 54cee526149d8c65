#include "corpus/debian_corpus.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "common/clock.h"
#include "common/file_cache.h"
#include "common/mutex.h"
#include "common/parallel_for.h"
#include "common/subprocess.h"
#include "corpus/compile_commands.h"

namespace passrl::corpus {
namespace fs = std::filesystem;
namespace {

std::string FirstLine(const std::string& text) {
  const size_t error = text.find("error:");
  const size_t begin = error == std::string::npos ? 0 : text.rfind('\n', error) + 1;
  return text.substr(begin, text.find('\n', begin) - begin);
}

constexpr size_t kInspectBatch = 32;  // modules per inspector child

struct Unit {
  CompileCommand command;
  std::string name, bitcode;
  absl::StatusOr<envs::CorpusModule> module = absl::UnknownError("not built");
};

// Emits and inspects every unit (`jobs` at a time); fills result's modules and counters.
// Unavailable when the inspector itself cannot run (nothing about the package is known then).
absl::Status EmitAndInspect(std::vector<Unit>& units, const CorpusBuildOptions& options,
                    const std::string& package_dir, envs::PackageResult& result) {
  const std::string emit_dir = package_dir + "/emit";
  std::error_code ec;
  fs::remove_all(emit_dir, ec);
  fs::create_directories(emit_dir, ec);
  double emit_seconds = 0, inspect_seconds = 0;
  Mutex mu;  // guards the two sums
  ParallelFor(units.size(), options.jobs, [&](size_t i, int) {
    Unit& unit = units[i];
    unit.bitcode = absl::StrCat(emit_dir, "/", i, ".bc");
    SubprocessOptions run;
    run.timeout_seconds = options.unit_timeout_seconds;
    run.working_dir = unit.command.directory;
    run.max_output_bytes = 1 << 20;
    auto clang = RunSubprocess(BitcodeCommand(unit.command, options.build.clang, unit.bitcode), run);
    if (!clang.ok()) {
      unit.module = clang.status();
    } else if (!clang->ok()) {
      unit.module = absl::InvalidArgumentError(
          absl::StrCat("clang ", clang->Describe(), ": ", FirstLine(clang->err)));
    } else {
      unit.module = envs::CorpusModule();  // emitted; inspected below
    }
    MutexLock lock(&mu);
    emit_seconds += clang.ok() ? clang->wall_seconds : 0;
  });
  // Inspection in batches, `jobs` children at a time.
  std::vector<std::vector<Unit*>> batches;
  for (Unit& unit : units) {
    if (!unit.module.ok()) continue;
    if (batches.empty() || batches.back().size() >= kInspectBatch) batches.emplace_back();
    batches.back().push_back(&unit);
  }
  ParallelFor(batches.size(), options.jobs, [&](size_t b, int) {
    std::vector<std::string> paths;
    for (const Unit* unit : batches[b]) paths.push_back(unit->bitcode);
    const double start = MonotonicSeconds();
    std::vector<absl::StatusOr<envs::CorpusModule>> modules = options.inspect(paths);
    for (size_t i = 0; i < batches[b].size(); ++i) {
      batches[b][i]->module = i < modules.size()
                                  ? std::move(modules[i])
                                  : absl::InternalError("the inspector returned no result");
    }
    MutexLock lock(&mu);
    inspect_seconds += MonotonicSeconds() - start;
  });
  result.emit_seconds = emit_seconds;
  result.inspect_seconds = inspect_seconds;
  for (const Unit& unit : units) {
    if (absl::IsUnavailable(unit.module.status())) return unit.module.status();
  }
  std::set<uint64_t> hashes;
  std::set<std::string> names;
  fs::create_directories(package_dir + "/modules", ec);
  for (Unit& unit : units) {
    if (!unit.module.ok()) {
      result.tu_errors.push_back(
          absl::StrCat(unit.name, ": ", unit.module.status().message()));
      continue;
    }
    if (unit.module->instructions < options.min_instructions) {
      ++result.trivial;
      continue;
    }
    if (!hashes.insert(unit.module->ir_hash).second) {
      ++result.duplicates;
      continue;
    }
    std::string name = unit.name;
    for (int k = 2; !names.insert(name).second; ++k) name = absl::StrCat(unit.name, "-", k);
    envs::CorpusModule module = *unit.module;
    module.name = name;
    module.source = unit.command.file;
    fs::rename(unit.bitcode, envs::DebianModulePath(options.cache_dir, result.package, name), ec);
    if (ec) {
      result.tu_errors.push_back(absl::StrCat(unit.name, ": cannot store: ", ec.message()));
      continue;
    }
    result.modules.push_back(std::move(module));
  }
  fs::remove_all(emit_dir, ec);
  return absl::OkStatus();
}

// Fetches, builds, emits and inspects one package. The package's own failures are in the result;
// an error means the builder could not work (the inspector cannot run) and nothing is cached.
absl::StatusOr<envs::PackageResult> BuildOne(const envs::DebianPackage& package, const CorpusBuildOptions& options,
                             SourceFetcher& fetcher, std::ostream& progress) {
  envs::PackageResult result;
  result.package = package.name;
  const std::string dir = envs::DebianPackageDir(options.cache_dir, package.name);
  const std::string work = absl::StrCat(options.cache_dir, "/debian/work/", package.name);
  std::error_code ec;
  fs::remove_all(dir + "/modules", ec);
  double start = MonotonicSeconds();
  result.version = fetcher.Version(package.name);
  auto source = fetcher.Fetch(package.name, work);
  result.fetch_seconds = MonotonicSeconds() - start;
  if (!source.ok()) {
    result.error = std::string(source.status().message());
    return result;
  }
  result.fetched = true;
  progress << "    fetched " << package.name << " " << result.version << "; building\n"
           << std::flush;
  auto build = BuildPackage(*source, dir, options.build);
  if (!build.ok()) {
    result.error = absl::StrCat("build: ", build.status().message(), " (log: ", dir, "/build.log)");
  } else {
    result.build_system = build->system;
    result.build_seconds = build->seconds;
    std::string json;
    absl::Status read = ReadFileToString(build->compile_commands, &json);
    auto commands = read.ok() ? ParseCompileCommands(json)
                              : absl::StatusOr<std::vector<CompileCommand>>(read);
    if (!commands.ok()) {
      result.error = std::string(commands.status().message());
    } else if (commands->empty()) {
      result.error = "no C translation units (the build compiled no .c file)";
    } else {
      // In source order, not build order (make -j varies it): which of two same-IR units is kept,
      // and every name, is the same on every build.
      std::sort(commands->begin(), commands->end(),
                [](const CompileCommand& a, const CompileCommand& b) { return a.file < b.file; });
      std::vector<Unit> units(commands->size());
      for (size_t i = 0; i < units.size(); ++i) {
        units[i].command = (*commands)[i];
        units[i].name = ModuleName(*source, units[i].command.file);
      }
      result.translation_units = static_cast<int>(units.size());
      progress << "    " << build->system << " build: " << units.size() << " C units in "
               << absl::StrFormat("%.0f", build->seconds) << " s; emitting bitcode\n"
               << std::flush;
      absl::Status inspected = EmitAndInspect(units, options, dir, result);
      if (!inspected.ok()) {
        if (!options.keep_sources) fs::remove_all(work, ec);
        return inspected;
      }
      result.ok = !result.modules.empty();
      if (!result.ok) result.error = "no module survived (all failed, trivial or duplicates)";
    }
  }
  if (!options.keep_sources) fs::remove_all(work, ec);
  return result;
}

// Fetch failures (network, a mistyped name) are always retried; other failures when asked.
bool Resumable(const envs::PackageResult& cached, const CorpusBuildOptions& options) {
  return cached.ok || (cached.fetched && !options.retry_failed);
}

}  // namespace

absl::Status CorpusBuildOptions::Validate() const {
  if (cache_dir.empty()) return absl::InvalidArgumentError("the Debian corpus needs a cache dir");
  if (packages.empty()) return absl::InvalidArgumentError("no packages to build");
  if (jobs < 1) return absl::InvalidArgumentError("jobs must be >= 1");
  if (!(unit_timeout_seconds > 0) || !(build.timeout_seconds > 0)) {
    return absl::InvalidArgumentError("time limits must be > 0");
  }
  if (!inspect) return absl::InvalidArgumentError("no module inspector");
  return absl::OkStatus();
}

std::string ModuleName(const std::string& root, const std::string& file) {
  std::string relative = fs::path(file).lexically_relative(root).string();
  if (relative.empty() || relative.rfind("..", 0) == 0) relative = fs::path(file).filename();
  if (relative.size() > 2 && relative.substr(relative.size() - 2) == ".c") {
    relative.resize(relative.size() - 2);
  }
  return absl::StrReplaceAll(relative, {{"/", "."}});
}

absl::StatusOr<CorpusBuildSummary> BuildDebianCorpus(const CorpusBuildOptions& options,
                                                     SourceFetcher& fetcher, std::ostream& progress) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  absl::Status updated = fetcher.Update();
  if (!updated.ok()) return updated;
  CorpusBuildSummary summary;
  const double start = MonotonicSeconds();
  double built_seconds = 0;
  int built = 0;
  std::set<uint64_t> distinct;
  const size_t n = options.packages.size();
  for (size_t i = 0; i < n; ++i) {
    const envs::DebianPackage& package = options.packages[i];
    const std::string result_path =
        envs::DebianPackageDir(options.cache_dir, package.name) + "/result.json";
    std::string text;
    absl::StatusOr<envs::PackageResult> result = absl::NotFoundError("");
    bool cached = false;
    if (ReadFileToString(result_path, &text).ok()) {
      result = envs::PackageResult::FromJson(text);
      cached = result.ok() && Resumable(*result, options);
    }
    if (!cached) {
      progress << absl::StrFormat("[%d/%d] %s (%s, %s)\n", i + 1, n, package.name, package.kind,
                                  envs::SplitName(package.split))
               << std::flush;
      const double t0 = MonotonicSeconds();
      result = BuildOne(package, options, fetcher, progress);
      built_seconds += MonotonicSeconds() - t0;
      ++built;
      if (!result.ok()) return result.status();
      absl::Status written = WriteFileAtomically(result_path, result->ToJson());
      if (!written.ok()) return written;
    }
    for (const envs::CorpusModule& m : result->modules) distinct.insert(m.ir_hash);
    (result->ok ? summary.packages_ok : summary.packages_failed)++;
    const size_t left = n - i - 1;
    const double eta = built > 0 ? built_seconds / built * left : 0;
    if (result->ok) {
      progress << absl::StrFormat(
          "[%d/%d] %s: %d modules (%d units, %d failed, %d trivial, %d duplicate)%s; %d distinct "
          "so far; ETA %.0f min\n",
          i + 1, n, package.name, result->modules.size(), result->translation_units,
          result->tu_errors.size(), result->trivial, result->duplicates, cached ? " [cached]" : "",
          distinct.size(), eta / 60);
    } else {
      progress << absl::StrFormat("[%d/%d] %s: FAILED%s: %s; ETA %.0f min\n", i + 1, n,
                                  package.name, cached ? " [cached]" : "", result->error, eta / 60);
    }
    progress << std::flush;
  }
  summary.modules = static_cast<int64_t>(distinct.size());
  summary.seconds = MonotonicSeconds() - start;
  return summary;
}

}  // namespace passrl::corpus
