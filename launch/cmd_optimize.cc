// passrl optimize: a trained policy, its run's sequence library and a search guided by both
// (optimize/optimizer.h) applied to one program or to every program of a dataset split.
//   passrl optimize prog.c --policy runs/local -o prog.opt.bc --emit-object prog.o
//   passrl optimize --dataset debian --split test --sample 150 --policy runs/x --baselines
// Candidates run in env workers, one per allowed CPU by default (--jobs), at once (a crashing
// pass costs a candidate). The winner is replayed here with the IR verifier after every pass,
// must give the count the search reported, must be smaller than -Oz (else -Oz is returned, and
// the output says so), and a program with main() must print what its -O0 build prints (else -Oz
// again). --baselines adds random search with the same
// budget through the same machinery, so the table compares like with like.
//
// passrl library: distils a run's sequence pool (RUN/sequences.json) into RUN/library.json.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/durable_file.h"
#include "common/file_cache.h"
#include "common/mutex.h"
#include "common/parallel_for.h"
#include "common/pinning.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "absl/strings/match.h"
#include "eval/summary.h"
#include "launch/commands.h"
#include "launch/config.h"
#include "launch/mlir_commands.h"
#include "launch/policy_source.h"
#include "learner/sequence_pool.h"
#include "nlohmann/json.hpp"
#include "optimize/library.h"
#include "optimize/optimizer.h"

namespace passrl::launch {
namespace {

struct OptimizeFlags {
  envs::DatasetOptions dataset;
  std::string program, policy, output, object, dataset_name, split = "test", json;
  std::vector<std::string> benchmarks;
  int sample = 0;
  int64_t compilations = 0;
  double budget = 0;
  bool baselines = false, no_library = false;
  uint64_t seed = 1;
  int jobs = 0;  // env workers evaluating candidates at once; 0: one per allowed CPU
  size_t prefix_cache_mb = 256;  // per worker: earlier steps kept (actors/prefix_cache.h)
  int rollouts = 20, length = 0;  // MLIR graphs: rollouts of the policy search, their length
  int64_t check_elements = MlirSearchFlags().check_elements;
};

bool IsGraph(const std::string& program) {
  return absl::StartsWith(program, "mlir/") || absl::EndsWith(program, ".mlir") ||
         absl::EndsWith(program, ".onnx");
}

// A graph for the MLIR task: the policy must be one trained on it.
absl::Status OptimizeGraph(const OptimizeFlags& flags) {
  if (flags.policy.empty()) return absl::InvalidArgumentError("--policy is required");
  PASSRL_ASSIGN_OR_RETURN(LoadedPolicy policy, LoadPolicy(flags.policy));
  if (policy.compiler != envs::Compiler::kMlir) {
    return absl::InvalidArgumentError(absl::StrCat(
        flags.policy, " orders LLVM passes; ", flags.program, " is an MLIR graph (train on the "
        "mlir dataset: cluster_configs/mlir_local.yaml)"));
  }
  if (!flags.object.empty()) return absl::InvalidArgumentError("--emit-object is for LLVM programs");
  MlirSearchFlags m;
  m.dataset = flags.dataset;
  m.graph = flags.program;
  m.output = flags.output;
  m.length = flags.length > 0 ? flags.length : policy.episode_length;
  m.rollouts = flags.rollouts;
  m.seed = flags.seed;
  m.check_elements = flags.check_elements;
  return OptimizeMlirGraph(m, policy);
}

// The result a user gets for one program, after the checks.
struct Final {
  std::vector<int> actions;
  int64_t ir = 0, ir_o0 = 0, ir_oz = 0, text = 0, text_o0 = 0, text_oz = 0;
  int64_t search_ir = 0;  // the search's count when the replay gave another (prefix cache)
  std::string source, verdict = "size-only", note;
  bool fell_back = false;
  std::string bitcode, object;  // when asked for
  double Ratio() const { return static_cast<double>(ir_oz) / static_cast<double>(ir); }
};

absl::StatusOr<std::unique_ptr<envs::LlvmEnv>> FinalEnv(const OptimizeFlags& flags) {
  envs::EnvOptions o;
  o.reward = envs::RewardSpace::kIrInstructionCount;
  o.verify_each_step = true;  // the verifier after every pass of the returned sequence
  o.cache_dir = flags.dataset.build.cache_dir;
  o.runtime = envs::RuntimeOptions::ValidationOnly();  // output compared with -O0, not timed
  return envs::LlvmEnv::Create(o);
}

// Replays `found` in this process and applies the promises: verified, reproducible, never above
// -Oz, same output as -O0 when runnable.
// `exact`: the search ran every pass of every candidate, so the replay must give its count (a
// difference is a bug). Otherwise (a prefix cache: states restored from bitcode, whose local value
// names differ, can rarely lead a later pass elsewhere) the replay's count is what is reported.
absl::StatusOr<Final> Finalize(envs::LlvmEnv& env, const envs::Benchmark& benchmark,
                               const optimize::OptimizeResult& found, bool want_outputs,
                               bool exact) {
  Final f;
  f.actions = found.actions;
  f.source = found.source;
  PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
  for (int a : found.actions) PASSRL_RETURN_IF_ERROR(env.Step(a).status());
  f.ir = env.IrInstructionCount();
  if (f.ir != found.ir) {
    if (exact) {
      return absl::InternalError(absl::StrCat(benchmark.name, ": the sequence gave ", f.ir,
                                              " instructions here but ", found.ir,
                                              " in the search"));
    }
    f.search_ir = found.ir;
  }
  f.ir_o0 = env.baselines().ir_o0;
  f.ir_oz = env.baselines().ir_oz;
  auto fall_back = [&](const std::string& why) -> absl::Status {
    f.fell_back = true;
    f.note = why;
    f.actions.clear();
    f.source = "-Oz";
    PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
    PASSRL_RETURN_IF_ERROR(env.RunPipeline("default<Oz>"));
    f.ir = env.IrInstructionCount();
    return absl::OkStatus();
  };
  if (f.ir >= f.ir_oz) {
    PASSRL_RETURN_IF_ERROR(fall_back("nothing found beats -Oz: returning -Oz"));
  } else if (benchmark.runnable) {
    PASSRL_ASSIGN_OR_RETURN(envs::RuntimeResult run, env.MeasureRuntime());
    f.verdict = envs::VerdictName(run.verdict);
    if (run.verdict != envs::Verdict::kOk) {
      PASSRL_RETURN_IF_ERROR(fall_back(absl::StrCat("the best sequence's build failed its run (",
                                                    f.verdict, ": ", run.detail,
                                                    "): returning -Oz")));
    }
  }
  PASSRL_ASSIGN_OR_RETURN(double text, env.Cost(envs::RewardSpace::kObjectTextSize));
  f.text = static_cast<int64_t>(text);
  f.text_o0 = env.baselines().text_o0;
  f.text_oz = env.baselines().text_oz;
  if (want_outputs) {
    f.bitcode = env.Bitcode();
    PASSRL_ASSIGN_OR_RETURN(f.object, env.EmitObject());
  }
  return f;
}

optimize::OptimizeOptions SearchOptionsFor(const OptimizeFlags& flags, const LoadedPolicy& loaded) {
  optimize::OptimizeOptions o;
  o.compilations = flags.compilations;
  o.budget_seconds = flags.budget;
  if (o.compilations == 0 && o.budget_seconds == 0) o.compilations = 45;
  o.length = loaded.episode_length;
  o.horizon = loaded.horizon;
  o.allowed = loaded.allowed;
  o.seed = flags.seed;
  return o;
}

std::string BudgetText(const optimize::OptimizeOptions& o) {
  return o.compilations > 0 ? absl::StrCat(o.compilations, " compilations")
                            : absl::StrCat(o.budget_seconds, " s");
}

struct Loaded {
  LoadedPolicy policy;
  std::optional<optimize::SequenceLibrary> library;  // the run's library.json, if any
  const optimize::SequenceLibrary* Library() const { return library ? &*library : nullptr; }
};

absl::StatusOr<Loaded> LoadAll(const OptimizeFlags& flags) {
  if (flags.policy.empty()) {
    return absl::InvalidArgumentError("--policy is required (a run directory, its policy.pb, or "
                                      "a checkpoint directory)");
  }
  Loaded out;
  PASSRL_ASSIGN_OR_RETURN(out.policy, LoadPolicy(flags.policy));
  if (out.policy.compiler != envs::Compiler::kLlvm) {
    return absl::InvalidArgumentError(absl::StrCat(
        flags.policy, ": this policy orders MLIR graph passes; give it a graph (mlir/MODEL, a "
        ".mlir or an .onnx file)"));
  }
  if (out.policy.start != "O0") {
    return absl::InvalidArgumentError(absl::StrCat(
        flags.policy, ": this policy refines -", out.policy.start,
        " (env.start); optimize searches from -O0 for code size. Use passrl eval for it"));
  }
  const std::string path = out.policy.run_dir + "/library.json";
  std::string text;
  if (!flags.no_library && ReadFileToString(path, &text).ok()) {
    auto library = optimize::SequenceLibrary::FromJson(text);
    if (!library.ok()) {
      return absl::Status(library.status().code(),
                          absl::StrCat(path, ": ", library.status().message()));
    }
    out.library = *std::move(library);
  }
  return out;
}

std::unique_ptr<actors::WorkerEnvClient> Worker(const envs::DatasetOptions& dataset,
                                                size_t prefix_cache_mb = 0) {
  actors::WorkerOptions w;
  w.dataset = dataset;
  w.reward = "IrInstructionCount";
  w.prefix_cache_mb = prefix_cache_mb;
  return std::make_unique<actors::WorkerEnvClient>(w);
}

// The env workers a search evaluates its candidates on, one thread each.
struct Workers {
  std::vector<std::unique_ptr<actors::WorkerEnvClient>> owned;
  std::vector<actors::EnvClient*> clients;
  Workers(const envs::DatasetOptions& dataset, int jobs, size_t prefix_cache_mb) {
    for (int i = 0; i < jobs; ++i) {
      owned.push_back(Worker(dataset, prefix_cache_mb));
      clients.push_back(owned.back().get());
    }
  }
  absl::Span<actors::EnvClient* const> all() const { return clients; }
};

// Env workers for a --jobs flag: 0 means one per allowed CPU.
int Jobs(int jobs) { return jobs > 0 ? jobs : AllowedCpuCount(); }

absl::Status OptimizeOne(const OptimizeFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(Loaded loaded, LoadAll(flags));
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark,
                          envs::LoadBenchmark(flags.program, flags.dataset));
  const optimize::OptimizeOptions o = SearchOptionsFor(flags, loaded.policy);
  std::printf("optimize %s with %s%s; budget %s\n", benchmark.name.c_str(),
              loaded.policy.source.c_str(),
              loaded.library
                  ? absl::StrCat(" and its library of ", loaded.library->entries.size()).c_str()
                  : " (no library.json in its run: `passrl library --run DIR` makes one)",
              BudgetText(o).c_str());
  Workers workers(flags.dataset, Jobs(flags.jobs), flags.prefix_cache_mb);
  PASSRL_ASSIGN_OR_RETURN(optimize::OptimizeResult found,
                          optimize::Optimize(workers.all(), loaded.policy.policy.get(),
                                             loaded.Library(), benchmark.name, o));
  PASSRL_ASSIGN_OR_RETURN(auto env, FinalEnv(flags));
  const bool outputs = !flags.output.empty() || !flags.object.empty();
  PASSRL_ASSIGN_OR_RETURN(Final f, Finalize(*env, benchmark, found, outputs,
                                            flags.prefix_cache_mb == 0));
  std::printf("%lld candidates in %.1f s on %zu env workers (%lld cut short by a crash or hang)\n",
              static_cast<long long>(found.compilations), found.seconds, workers.clients.size(),
              static_cast<long long>(found.failed));
  if (f.search_ir > 0) {
    std::printf("note: the search counted %lld instructions on a state restored from its prefix "
                "cache; replayed from scratch the sequence gives %lld (reported below)\n",
                static_cast<long long>(f.search_ir), static_cast<long long>(f.ir));
  }
  if (f.fell_back) std::printf("note: %s\n", f.note.c_str());
  std::printf("sequence (%zu, from %s): %s\n", f.actions.size(), f.source.c_str(),
              envs::FormatActionList(f.actions).c_str());
  std::printf("IR instructions: %lld (-O0 %lld, -Oz %lld): %.4fx -Oz\n", (long long)f.ir,
              (long long)f.ir_o0, (long long)f.ir_oz, f.Ratio());
  std::printf(".text bytes: %lld (-O0 %lld, -Oz %lld): %.4fx -Oz\n", (long long)f.text,
              (long long)f.text_o0, (long long)f.text_oz,
              static_cast<double>(f.text_oz) / static_cast<double>(std::max<int64_t>(f.text, 1)));
  std::printf("output check: %s\n", benchmark.runnable
                                        ? (f.verdict == "ok" ? "same output as -O0" : f.verdict.c_str())
                                        : "size-only (no main() to run)");
  if (!flags.output.empty()) {
    PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(flags.output, f.bitcode));
    std::printf("wrote %s\n", flags.output.c_str());
  }
  if (!flags.object.empty()) {
    PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(flags.object, f.object));
    std::printf("wrote %s\n", flags.object.c_str());
  }
  return absl::OkStatus();
}

absl::Status OptimizeDataset(const OptimizeFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(Loaded loaded, LoadAll(flags));
  PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(flags.split));
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.dataset_name, flags.dataset));
  std::vector<std::string> names =
      flags.benchmarks.empty() ? envs::SampleNames(dataset->BenchmarkNames(split), flags.sample)
                               : flags.benchmarks;
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no benchmarks in ", flags.dataset_name,
                                                   " split ", flags.split));
  }
  const optimize::OptimizeOptions o = SearchOptionsFor(flags, loaded.policy);
  optimize::OptimizeOptions random = o;
  random.strategy = optimize::Strategy::kRandom;
  Workers workers(flags.dataset, Jobs(flags.jobs), flags.prefix_cache_mb);
  // Random sequences rarely share a prefix: their workers keep none (it would only cost).
  Workers random_workers(flags.dataset, flags.baselines ? Jobs(flags.jobs) : 0, 0);
  std::printf("optimize %zu programs of %s split %s with %s (library: %zu sequences); budget %s "
              "per program on %zu env workers%s\n",
              names.size(), flags.dataset_name.c_str(), flags.split.c_str(),
              loaded.policy.source.c_str(), loaded.library ? loaded.library->entries.size() : 0,
              BudgetText(o).c_str(), workers.clients.size(),
              flags.baselines
                  ? "; random search with the same budget and as many workers (no prefix cache)"
                  : "");
  PASSRL_ASSIGN_OR_RETURN(auto env, FinalEnv(flags));
  std::vector<double> greedy_ratios, optimize_ratios, random_ratios;
  std::vector<optimize::OptimizeResult> results;
  nlohmann::json rows = nlohmann::json::array();
  int failed = 0, miscompiles = 0, fallbacks = 0, replayed_otherwise = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    auto benchmark = dataset->Load(names[i]);
    absl::StatusOr<optimize::OptimizeResult> found =
        benchmark.ok() ? optimize::Optimize(workers.all(), loaded.policy.policy.get(),
                                            loaded.Library(), names[i], o)
                       : absl::StatusOr<optimize::OptimizeResult>(benchmark.status());
    absl::StatusOr<Final> f = found.ok() ? Finalize(*env, *benchmark, *found, false,
                                                    flags.prefix_cache_mb == 0)
                                         : absl::StatusOr<Final>(found.status());
    absl::StatusOr<Final> r = absl::UnavailableError("not run");
    int64_t random_compilations = 0;
    if (f.ok() && flags.baselines) {
      auto rs = optimize::Optimize(random_workers.all(), nullptr, nullptr, names[i], random);
      r = rs.ok() ? Finalize(*env, *benchmark, *rs, false, /*exact=*/true)
                  : absl::StatusOr<Final>(rs.status());
      if (rs.ok()) random_compilations = rs->compilations;
    }
    if (!f.ok()) {
      ++failed;
      std::printf("[%zu/%zu] %-44s FAILED: %s\n", i + 1, names.size(), names[i].c_str(),
                  std::string(f.status().message()).c_str());
      rows.push_back({{"benchmark", names[i]}, {"error", std::string(f.status().message())}});
      continue;
    }
    results.push_back(*found);
    const int64_t greedy_ir = found->policy_counts.empty() ? f->ir_o0 : found->policy_counts.back();
    greedy_ratios.push_back(static_cast<double>(f->ir_oz) / static_cast<double>(greedy_ir));
    optimize_ratios.push_back(f->Ratio());
    if (f->verdict != "ok" && f->verdict != "size-only") ++miscompiles;
    if (f->fell_back) ++fallbacks;
    if (f->search_ir > 0) ++replayed_otherwise;
    std::string random_text;
    if (r.ok()) {
      random_ratios.push_back(r->Ratio());
      random_text = absl::StrFormat("  random %.3fx", r->Ratio());
    }
    std::printf("[%zu/%zu] %-44s -Oz %6lld  greedy %.3fx  optimize %.3fx (%s, %lld cand.)%s%s\n",
                i + 1, names.size(), names[i].c_str(), (long long)f->ir_oz,
                greedy_ratios.back(), f->Ratio(), f->source.c_str(),
                (long long)found->compilations, random_text.c_str(),
                f->verdict == "size-only" ? "" : absl::StrCat("  run: ", f->verdict).c_str());
    std::fflush(stdout);
    nlohmann::json row = {{"benchmark", names[i]},      {"ir_o0", f->ir_o0},
                          {"ir_oz", f->ir_oz},          {"greedy_ir", greedy_ir},
                          {"greedy_actions", envs::FormatActionList(found->policy_actions)},
                          {"ir", f->ir},                {"source", f->source},
                          {"actions", envs::FormatActionList(f->actions)},
                          {"compilations", found->compilations},
                          {"seconds", found->seconds},  {"verdict", f->verdict}};
    if (f->search_ir > 0) row["search_ir"] = f->search_ir;
    if (r.ok()) {
      row["random_ir"] = r->ir;
      row["random_compilations"] = random_compilations;
    }
    rows.push_back(row);
  }
  auto line = [](const char* what, const std::vector<double>& ratios) {
    if (ratios.empty()) return;
    const eval::GeomeanSummary g = eval::SummarizeRatios(ratios);
    std::printf("%-34s geomean over %d: %.4fx -Oz [%.3f, %.3f] (95%% CI)\n", what, g.n, g.geomean,
                g.low, g.high);
  };
  line("greedy policy (one rollout)", greedy_ratios);
  line("optimize (-Oz floor)", optimize_ratios);
  line("random search, same budget (-Oz floor)", random_ratios);
  std::printf("%d failed, %d fell back to -Oz, %d miscompiles caught\n", failed, fallbacks,
              miscompiles);
  if (replayed_otherwise > 0) {
    std::printf("%d winners replayed from scratch to another count than the search's (prefix "
                "cache; the replay's is reported)\n", replayed_otherwise);
  }
  std::vector<eval::PolicyTrace> traces;
  for (const optimize::OptimizeResult& r : results) {
    traces.push_back({r.policy_actions, r.ir_o0, r.policy_counts});
  }
  std::printf("greedy policy: %s\n", eval::DescribeSequences(traces).c_str());
  if (!flags.json.empty()) {
    nlohmann::json doc = {{"policy", loaded.policy.source},
                          {"dataset", flags.dataset_name},
                          {"split", flags.split},
                          {"compilations", o.compilations},
                          {"budget_seconds", o.budget_seconds},
                          {"jobs", workers.clients.size()},
                          {"rows", rows}};
    PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(flags.json, doc.dump(1)));
  }
  return absl::OkStatus();
}

absl::Status RunOptimize(const OptimizeFlags& flags) {
  if (flags.program.empty() == flags.dataset_name.empty()) {
    return absl::InvalidArgumentError("give one PROGRAM (.c, .ll or .bc) or --dataset");
  }
  if (flags.compilations < 0 || flags.budget < 0) {
    return absl::InvalidArgumentError("--compilations and --budget must be >= 0");
  }
  if (!flags.dataset_name.empty() && (!flags.output.empty() || !flags.object.empty())) {
    return absl::InvalidArgumentError("-o and --emit-object are for one PROGRAM, not --dataset");
  }
  if (IsGraph(flags.program)) return OptimizeGraph(flags);
  return flags.program.empty() ? OptimizeDataset(flags) : OptimizeOne(flags);
}

// passrl library: score the pool's sequences on the programs they came from, distil a cover.
struct LibraryFlags {
  envs::DatasetOptions dataset;
  std::string run;
  // 200 x 200 chosen on debian-validation (BENCHMARKS.md, "A larger library"): 43 sequences
  // where 40 x 100 gave 11, and at 45 compilations 1.148x -Oz against 1.130x.
  int programs = 200, candidates = 200, size = 64;
  int jobs = 0;  // env workers scoring at once; 0: one per allowed CPU
};

constexpr size_t kLibraryPrefixCacheMb = 256;  // per worker

// ratio[c][p]: candidate c's best prefix on benchmark p, vs -Oz (0 where it failed). Programs
// are shared out to `jobs` env workers, one thread each.
std::vector<std::vector<double>> ScoreCandidates(const envs::DatasetOptions& dataset,
                                                 const std::vector<std::vector<int>>& candidates,
                                                 const std::vector<std::string>& benchmarks,
                                                 int jobs) {
  std::vector<std::vector<double>> ratio(candidates.size(),
                                         std::vector<double>(benchmarks.size(), 0));
  // In lexicographic order, candidates that share a prefix come one after another, and each
  // worker's prefix cache (IR-count outcomes) runs only the passes after the shared part.
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return candidates[a] < candidates[b]; });
  Workers workers(dataset, std::max(1, std::min<int>(jobs, benchmarks.size())),
                  kLibraryPrefixCacheMb);
  Mutex print_mu;
  size_t done = 0;  // guarded by print_mu
  ParallelFor(benchmarks.size(), static_cast<int>(workers.clients.size()), [&](size_t p, int t) {
    std::string skipped;
    for (size_t c : order) {
      auto r = optimize::EvaluateSequence(*workers.clients[t], benchmarks[p], candidates[c]);
      if (!r.ok()) {
        skipped = absl::StrCat(" (skipped: ", r.status().message(), ")");
        break;
      }
      ratio[c][p] = r->RatioVsOz();  // each thread writes its own programs' column
    }
    MutexLock lock(&print_mu);
    std::printf("  [%zu/%zu] %s%s\n", ++done, benchmarks.size(), benchmarks[p].c_str(),
                skipped.c_str());
    std::fflush(stdout);
  });
  return ratio;
}

absl::Status RunLibrary(const LibraryFlags& flags) {
  std::string text;
  const std::string pool_path = flags.run + "/sequences.json";
  PASSRL_RETURN_IF_ERROR(ReadFileToString(pool_path, &text));
  learner::SequencePool pool;
  if (absl::Status s = pool.MergeJson(text); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(pool_path, ": ", s.message()));
  }
  // Candidates: the distinct pooled sequences, best first; programs: a sample of the pool's.
  std::vector<std::pair<double, std::vector<int>>> ranked;
  std::vector<std::string> benchmarks;
  for (const auto& [name, seq] : pool.Snapshot()) {
    ranked.push_back({seq.ratio_vs_oz, seq.actions});
    benchmarks.push_back(name);
  }
  if (ranked.empty()) return absl::FailedPreconditionError(pool_path + ": the pool is empty");
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::vector<int>> candidates;
  std::set<std::vector<int>> seen;
  for (const auto& [ratio, actions] : ranked) {
    if (static_cast<int>(candidates.size()) == flags.candidates) break;
    if (seen.insert(actions).second) candidates.push_back(actions);
  }
  benchmarks = envs::SampleNames(benchmarks, flags.programs);
  std::printf("library: %zu candidate sequences (of %zu pooled) scored on %zu training programs\n",
              candidates.size(), ranked.size(), benchmarks.size());
  const std::vector<std::vector<double>> ratio =
      ScoreCandidates(flags.dataset, candidates, benchmarks, Jobs(flags.jobs));
  const optimize::SequenceLibrary library = optimize::DistillLibrary(candidates, ratio, flags.size);
  PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(flags.run + "/library.json", library.ToJson()));
  std::printf("library: %zu sequences; on the scoring programs the best of them averages %.4fx "
              "-Oz (-Oz floor); wrote %s/library.json\n",
              library.entries.size(), library.mean_best, flags.run.c_str());
  return absl::OkStatus();
}

}  // namespace

void AddOptimizeCommand(CLI::App& app) {
  auto flags = std::make_shared<OptimizeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "optimize", "optimize a program (or a dataset split) with a trained policy and its library");
  cmd->add_option("program", flags->program,
                  "a .c, .ll or .bc file; or an MLIR graph (mlir/MODEL, .mlir, .onnx) for a policy "
                  "trained on the mlir dataset");
  cmd->add_option("--check-elements", flags->check_elements,
                  "MLIR graphs: run the result against the start graph on random arguments (mlir-cpu-runner-16) "
                  "when they hold at most this many elements; 0: never")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--rollouts", flags->rollouts, "MLIR graphs: rollouts of the policy search")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--length", flags->length, "MLIR graphs: passes per rollout (default: the run's)");
  cmd->add_option("--policy", flags->policy, "a run directory, its policy.pb, or a checkpoint");
  cmd->add_option("-o,--output", flags->output, "write the optimized module (bitcode)");
  cmd->add_option("--emit-object", flags->object, "write the object file");
  cmd->add_option("--compilations", flags->compilations,
                  "candidate sequences to evaluate (default 45 when no --budget)");
  cmd->add_option("--budget", flags->budget, "seconds of search per program");
  cmd->add_option("--dataset", flags->dataset_name, "instead of PROGRAM: every program of a split");
  cmd->add_option("--split", flags->split, "with --dataset: train, validation, test or all");
  cmd->add_option("--sample", flags->sample, "with --dataset: this many programs (stable sample)");
  cmd->add_option("-b,--benchmark", flags->benchmarks, "with --dataset: these programs");
  cmd->add_flag("--baselines", flags->baselines,
                "with --dataset: also random search with the same budget");
  cmd->add_flag("--no-library", flags->no_library, "ignore the run's library.json");
  cmd->add_option("--json", flags->json, "with --dataset: write the rows as JSON");
  cmd->add_option("--seed", flags->seed,
                  "seed of sampled rollouts, mutations, random sequences and random search");
  cmd->add_option("-j,--jobs", flags->jobs,
                  "env workers evaluating candidates at once (0: one per allowed CPU; 1: "
                  "sequential, reproducible with --compilations)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--prefix-cache-mb", flags->prefix_cache_mb,
                  "MiB per env worker of earlier steps, so candidates sharing a prefix with one "
                  "evaluated before run only the passes after it (0: none)");
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunOptimize(*flags); });

  auto lib = std::make_shared<LibraryFlags>();
  CLI::App* lcmd = app.add_subcommand(
      "library", "distil a run's sequence pool (sequences.json) into its library.json");
  lcmd->add_option("--run", lib->run, "the run directory")->required();
  lcmd->add_option("--programs", lib->programs, "training programs to score candidates on");
  lcmd->add_option("--candidates", lib->candidates, "pooled sequences scored (best first)");
  lcmd->add_option("--size", lib->size, "most sequences in the library");
  lcmd->add_option("-j,--jobs", lib->jobs, "env workers scoring at once (0: one per allowed CPU)")
      ->check(CLI::NonNegativeNumber);
  AddDatasetFlags(*lcmd, lib->dataset);
  lcmd->callback([lib] { CommandStatus() = RunLibrary(*lib); });
}

}  // namespace passrl::launch
