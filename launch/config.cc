#include "launch/config.h"

#include <cmath>
#include <type_traits>
#include <functional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "actors/observation.h"
#include "common/short_decimal.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/compiler.h"
#include "envs/measurement.h"
#include "envs/mlir_env.h"
#include "envs/paired_timing.h"
#include "envs/spaces.h"
#include "envs/split.h"
#include "yaml-cpp/yaml.h"

namespace passrl::launch {
namespace {

// One configurable option: its dotted key, how to set it from YAML, how to print it, and help.
struct Field {
  std::string key;
  std::function<void(const YAML::Node&)> set;  // throws YAML::Exception on a bad value
  std::function<std::string()> show;
  std::string help;
};

template <typename T>
Field Bind(const std::string& key, T* target, const std::string& help) {
  return {key, [target](const YAML::Node& n) { *target = n.as<T>(); },
          [target] {
            if constexpr (std::is_floating_point_v<T>) {
              if (std::isfinite(*target)) return ShortDecimal(*target);
            }
            YAML::Emitter e;
            e << YAML::Flow << *target;
            return std::string(e.c_str());
          },
          help};
}

// An enum option, read and shown by name.
Field BindHorizon(const std::string& key, actors::Horizon* target, const std::string& help) {
  return {key,
          [target](const YAML::Node& n) {
            auto parsed = actors::ParseHorizon(n.as<std::string>());
            if (!parsed.ok()) throw YAML::Exception(n.Mark(), std::string(parsed.status().message()));
            *target = *parsed;
          },
          [target] { return std::string(actors::HorizonName(*target)); }, help};
}

// env.compiler: sets the actors' and the workers' compiler together.
Field BindCompiler(const std::string& key, TrainConfig* c, const std::string& help) {
  return {key,
          [c](const YAML::Node& n) {
            auto parsed = envs::ParseCompiler(n.as<std::string>());
            if (!parsed.ok()) throw YAML::Exception(n.Mark(), std::string(parsed.status().message()));
            c->actor.compiler = c->worker.compiler = *parsed;
          },
          [c] { return std::string(envs::SpecOf(c->actor.compiler).name); }, help};
}

std::vector<Field> Fields(TrainConfig& c) {
  learner::LearnerOptions& l = c.learner;
  actors::ActorOptions& a = c.actor;
  return {
      Bind("run.dir", &l.run_dir, "run directory: metrics.jsonl, tb/, summary.json, crash reports"),
      Bind("run.duration_seconds", &l.duration_seconds, "training time; 0: until SIGTERM"),
      Bind("run.seed", &c.seed, "seed for networks, replay and actors (actor i uses seed + i)"),
      Bind("run.snapshot_seconds", &l.snapshot_seconds,
           "save the policy every this many seconds (policy-<t>s.pb; policy.pb at the end)"),
      Bind("checkpoint.every_seconds", &l.checkpoint.every_seconds,
           "checkpoint (networks, optimizers, replay, counters) this often; 0: not by time"),
      Bind("checkpoint.every_updates", &l.checkpoint.every_updates,
           "also checkpoint every this many updates; 0: not by updates"),
      Bind("checkpoint.keep", &l.checkpoint.keep,
           "complete checkpoints kept in run.dir/checkpoints"),
      Bind("checkpoint.chunk_transitions", &l.checkpoint.chunk_transitions,
           "replay transitions per checkpoint chunk file (ingestion pauses for one chunk's copy)"),
      Bind("security.curve_dir", &l.curve_dir,
           "CurveZMQ key directory from `passrl keys generate`; empty: no authentication"),
      Bind("security.actor_key", &c.actor_key, "the actors' secret key file in curve_dir"),
      Bind("dataset.name", &c.dataset,
           "bundled, csmith, debian, or a folder of .c/.ll/.bc files"),
      Bind("dataset.split", &c.split, "train, validation, test or all (envs/split.h)"),
      Bind("dataset.benchmarks", &c.benchmarks,
           "subset of the dataset's benchmarks; [] = all of the split"),
      Bind("dataset.mix", &c.mix,
           "instead of name/split: weighted datasets, e.g. [debian:train:3, bundled:train:1]"),
      BindCompiler("env.compiler", &c,
                   "llvm: LLVM passes on C programs; mlir: MLIR graph passes on neural networks "
                   "(dataset mlir, rewards OpCount/OpCountNorm/OpCountLog; docs/MLIR.md)"),
      Bind("env.episode_length", &a.episode_length, "passes per episode"),
      BindHorizon("env.horizon", &a.horizon,
                  "terminal: the step fraction is observed and the last step is terminal; "
                  "bootstrap: no time feature, the last step bootstraps (docs/ARCHITECTURE.md)"),
      Bind("env.action_set", &c.action_set,
           "all: passes, the -Oz sub-pipelines and stop; passes: single passes and stop only"),
      Bind("env.noop_penalty", &a.noop_penalty,
           "subtracted from the reward of a step that changes nothing (stop costs nothing)"),
      Bind("env.reward", &c.worker.reward,
           "IrInstructionCountLog (return: log of -O0/final), IrInstructionCountNorm, "
           "ObjectTextSizeNorm, RuntimeNorm, ..."),
      Bind("env.start", &c.worker.start,
           "where an episode starts: O0 (the unoptimised program) or O1/O2/O3/Os/Oz (the policy "
           "refines that pipeline's result; e.g. O3 with a runtime reward)"),
      Bind("env.runtime_insignificant", &c.worker.runtime_insignificant,
           "runtime rewards: a step whose paired speedup interval includes 1 is worth zero, or "
           "its estimate (estimate)"),
      Bind("env.runtime_max_pairs", &c.worker.runtime_max_pairs,
           "runtime rewards: most A/B run pairs per step (stops sooner when significant)"),
      Bind("env.runtime_clock", &c.worker.runtime_clock,
           "runtime rewards: time a run by the program's CPU time (cpu: leaves out waits a busy "
           "machine adds) or from start to exit (wall: for programs that sleep or do I/O)"),
      Bind("env.step_timeout_seconds", &c.worker.step_timeout_seconds,
           "a pass running longer is treated as hung: worker restarted, episode truncated"),
      Bind("env.isolate", &c.isolate, "run the environment in a worker subprocess (recommended)"),
      Bind("env.crash_penalty", &a.crash_penalty,
           "reward of an action that crashed or hung the environment (a terminal transition)"),
      Bind("validation.every_seconds", &c.validation.every_seconds,
           "score the greedy policy on a validation sample this often (metrics: "
           "validation_geomean); 0: no learning curve"),
      Bind("validation.dataset", &c.validation.dataset,
           "dataset of the learning curve; empty: the training dataset"),
      Bind("validation.split", &c.validation.split, "its split (never the training one)"),
      Bind("validation.sample", &c.validation.sample, "programs scored at every point"),
      Bind("actor.batch_transitions", &a.batch_transitions, "transitions per message"),
      Bind("actor.flush_seconds", &a.flush_seconds,
           "a batch not yet full is sent once its oldest transition is this old"),
      Bind("actor.heartbeat_seconds", &a.heartbeat_seconds, "status message period"),
      Bind("actor.pin", &c.pin, "pin each actor to one physical core (hwloc)"),
      Bind("actor.relay_weights", &c.relay_weights,
           "the first actor on each node relays the weights to the node's others over ipc://, "
           "so the learner sends each version once per node"),
      Bind("actor.learner_lost_seconds", &a.learner_lost_seconds,
           "an actor that gets no weights this long stops (the learner is gone); 0: never"),
      Bind("learner.host", &c.host, "address actors connect to; empty: the learner's hostname"),
      Bind("learner.port", &l.port, "transitions port (PULL); 0: any free port"),
      Bind("learner.weights_port", &l.weights_port, "weights port (PUB); 0: any free port"),
      Bind("learner.batch_size", &l.batch_size, "SAC minibatch"),
      Bind("learner.warmup_transitions", &l.warmup_transitions, "replay size before updates start"),
      Bind("learner.samples_per_insert", &l.samples_per_insert,
           "rate limiter: transitions sampled per transition inserted"),
      Bind("learner.publish_every", &l.publish_every, "updates between weight broadcasts"),
      Bind("learner.io_threads", &l.io_threads,
           "ZeroMQ I/O threads of the learner (thousands of actor connections: 2 or more)"),
      Bind("learner.torch_threads", &l.torch_threads,
           "LibTorch intra-op threads for the SAC update; 0: the learner's CPUs less two (ingest, I/O)"),
      Bind("learner.retain_heap_mb", &l.retain_heap_mb,
           "MiB of freed heap the learner keeps for the next update's tensors; 0: libc defaults"),
      Bind("learner.prefetch", &l.prefetch,
           "a sampler thread prepares the next batch during the update: auto (with CUDA), on, "
           "off"),
      Bind("learner.weights_float16", &l.weights_float16,
           "broadcast the policy as float16: half the bytes (greedy agreement in BENCHMARKS.md)"),
      Bind("learner.heartbeat_timeout_seconds", &l.heartbeat_timeout_seconds,
           "an actor silent this long is reported"),
      Bind("learner.use_cuda", &l.sac.use_cuda_if_available,
           "train on the GPU when torch::cuda::is_available()"),
      Bind("replay.capacity", &l.replay.capacity, "transitions held (memory is checked up front)"),
      Bind("replay.prioritized", &l.replay.prioritized, "proportional prioritized replay (sum tree)"),
      Bind("sac.gamma", &l.sac.gamma, "discount"),
      Bind("sac.tau", &l.sac.tau, "Polyak step of the target critics"),
      Bind("sac.learning_rate", &l.sac.learning_rate, "Adam step for policy and critics"),
      Bind("sac.alpha_learning_rate", &l.sac.alpha_learning_rate, "Adam step for the temperature"),
      Bind("sac.initial_alpha", &l.sac.initial_alpha, "starting temperature"),
      Bind("sac.target_entropy_ratio", &l.sac.target_entropy_ratio,
           "target entropy as a fraction of log|A| (0.98 makes alpha blow up)"),
      Bind("sac.reward_scale", &l.sac.reward_scale, "rewards are multiplied by this"),
      Bind("sac.grad_clip", &l.sac.grad_clip, "max gradient L2 norm per network; 0: none"),
      Bind("sac.hidden", &l.sac.shape.hidden, "hidden layer widths of every MLP"),
      Bind("sac.hidden_bfloat16", &l.sac.hidden_bfloat16,
           "the update's hidden-layer products in bfloat16 (outputs, losses, Adam in float32)"),
      Bind("sac.twin_mean_target", &l.sac.twin_mean_target,
           "critic target from the mean of the twin critics instead of their min"),
  };
}

absl::Status Apply(std::vector<Field>& fields, const std::string& key, const YAML::Node& value,
                   const std::string& where) {
  for (Field& f : fields) {
    if (f.key != key) continue;
    try {
      f.set(value);
    } catch (const YAML::Exception&) {
      std::ostringstream shown;
      shown << value;
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": bad value for '", key, "': '", shown.str(), "'"));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(where, ": unknown key '", key, "'"));
}

absl::Status Walk(std::vector<Field>& fields, const YAML::Node& node, const std::string& prefix,
                  const std::string& where) {
  for (const auto& entry : node) {
    const std::string key = prefix.empty()
                                ? entry.first.as<std::string>()
                                : absl::StrCat(prefix, ".", entry.first.as<std::string>());
    if (entry.second.IsMap()) {
      absl::Status s = Walk(fields, entry.second, key, where);
      if (!s.ok()) return s;
    } else {
      absl::Status s = Apply(fields, key, entry.second, where);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

learner::LearnerOptions TrainConfig::LearnerForThisBuild() const {
  learner::LearnerOptions l = learner;
  l.sac.shape.obs_dim = l.replay.obs_dim = actors::ObservationDim(actor.compiler);
  l.sac.shape.num_actions = envs::SpecOf(actor.compiler).num_actions();
  l.validation_seconds = validation.every_seconds;
  l.sac.shape.allowed =
      actor.compiler == envs::Compiler::kMlir
          ? std::vector<bool>(static_cast<size_t>(l.sac.shape.num_actions), true)
          : envs::AllowedActions(envs::ParseActionSet(action_set).value_or(envs::ActionSet::kAll));
  return l;
}

std::string TrainConfig::ValidationDataset() const {
  if (!validation.dataset.empty()) return validation.dataset;
  auto mix_entries = TrainingMix(*this);
  return mix_entries.ok() && !mix_entries->empty() ? mix_entries->front().dataset : dataset;
}

absl::StatusOr<MixEntry> ParseMixEntry(const std::string& text) {
  const size_t last = text.rfind(':');
  const size_t middle = last == std::string::npos || last == 0 ? std::string::npos
                                                                : text.rfind(':', last - 1);
  if (middle == std::string::npos || middle == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dataset.mix entry '", text, "': expected dataset:split:weight, e.g. debian:train:3"));
  }
  MixEntry entry{text.substr(0, middle), text.substr(middle + 1, last - middle - 1), 0};
  if (!envs::ParseSplit(entry.split).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("dataset.mix entry '", text,
                                                   "': unknown split '", entry.split, "'"));
  }
  if (!absl::SimpleAtod(text.substr(last + 1), &entry.weight) || !(entry.weight > 0) ||
      !std::isfinite(entry.weight)) {
    return absl::InvalidArgumentError(
        absl::StrCat("dataset.mix entry '", text, "': the weight must be a number > 0"));
  }
  return entry;
}

absl::StatusOr<std::vector<MixEntry>> TrainingMix(const TrainConfig& config) {
  std::vector<MixEntry> entries;
  if (config.mix.empty()) {
    PASSRL_RETURN_IF_ERROR(envs::ParseSplit(config.split).status());
    entries.push_back({config.dataset, config.split, 1});
    return entries;
  }
  for (const std::string& text : config.mix) {
    PASSRL_ASSIGN_OR_RETURN(MixEntry entry, ParseMixEntry(text));
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::Status TrainConfig::Validate() const {
  if (auto split = envs::ParseSplit(this->split); !split.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("dataset.split: ", split.status().message()));
  }
  PASSRL_RETURN_IF_ERROR(TrainingMix(*this).status());
  if (auto set = envs::ParseActionSet(action_set); !set.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("env.action_set: ", set.status().message()));
  }
  // The components check their own values.
  PASSRL_RETURN_IF_ERROR(LearnerForThisBuild().Validate());
  PASSRL_RETURN_IF_ERROR(actor.Validate());
  PASSRL_RETURN_IF_ERROR(validation.Validate());
  if (auto split = envs::ParseSplit(validation.split); !split.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("validation.split: ", split.status().message()));
  }
  if (!(worker.step_timeout_seconds > 0))
    return absl::InvalidArgumentError("env.step_timeout_seconds must be > 0");
  if (actor.compiler == envs::Compiler::kMlir) {
    if (auto reward = envs::ParseMlirReward(worker.reward); !reward.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("env.reward: ", reward.status().message()));
    }
  } else if (auto reward = envs::ParseRewardSpace(worker.reward); !reward.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("env.reward: ", reward.status().message()));
  }
  if (auto start = envs::StartPipeline(worker.start); !start.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("env.start: ", start.status().message()));
  }
  if (auto insignificant = envs::ParseInsignificant(worker.runtime_insignificant);
      !insignificant.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("env.runtime_insignificant: ", insignificant.status().message()));
  }
  if (auto clock = envs::ParseRunClock(worker.runtime_clock); !clock.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("env.runtime_clock: ", clock.status().message()));
  }
  if (worker.runtime_max_pairs < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "env.runtime_max_pairs must be >= 2 (an interval needs two pairs), got ",
        worker.runtime_max_pairs));
  }
  if (learner.sac.shape.hidden.empty())
    return absl::InvalidArgumentError("sac.hidden needs at least one layer");
  for (int h : learner.sac.shape.hidden) {
    if (h < 1) return absl::InvalidArgumentError("sac.hidden widths must be >= 1");
  }
  return CheckPairs();
}

// Pairs of keys that are each fine alone but cannot work together.
absl::Status TrainConfig::CheckPairs() const {
  const learner::LearnerOptions& l = learner;
  auto conflict = [](const std::string& what) { return absl::InvalidArgumentError(what); };
  if (l.warmup_transitions > l.replay.capacity) {
    return conflict(absl::StrCat("learner.warmup_transitions (", l.warmup_transitions,
                                 ") exceeds replay.capacity (", l.replay.capacity,
                                 "): the buffer never holds enough and no update would ever run"));
  }
  if (l.batch_size > l.warmup_transitions) {
    return conflict(absl::StrCat("learner.batch_size (", l.batch_size,
                                 ") exceeds learner.warmup_transitions (", l.warmup_transitions,
                                 "): the first batches would repeat transitions; raise the warmup"));
  }
  if (l.port != 0 && l.port == l.weights_port) {
    return conflict(absl::StrCat("learner.port and learner.weights_port are both ", l.port,
                                 ": the two sockets need different ports"));
  }
  if (l.heartbeat_timeout_seconds <= actor.heartbeat_seconds) {
    return conflict(absl::StrCat("learner.heartbeat_timeout_seconds (", l.heartbeat_timeout_seconds,
                                 ") must exceed actor.heartbeat_seconds (", actor.heartbeat_seconds,
                                 "), or every actor is reported silent"));
  }
  if (!mix.empty() && !benchmarks.empty()) {
    return conflict("dataset.mix and dataset.benchmarks are both set: give one (the mix draws "
                    "from whole splits)");
  }
  const bool mlir = actor.compiler == envs::Compiler::kMlir;
  for (const MixEntry& entry : TrainingMix(*this).value_or(std::vector<MixEntry>{})) {
    if ((entry.dataset == "mlir") != mlir) {
      return conflict(absl::StrCat("env.compiler ", envs::SpecOf(actor.compiler).name,
                                   " with dataset ", entry.dataset, ": the mlir dataset's graphs ",
                                   "go with env.compiler mlir, and only they do"));
    }
  }
  if (mlir && (worker.start != "O0" || action_set != "all")) {
    return conflict("env.compiler mlir takes env.start O0 and env.action_set all");
  }
  if (auto reward = envs::ParseRewardSpace(worker.reward); reward.ok() && envs::Spec(*reward).runtime) {
    for (const MixEntry& entry : TrainingMix(*this).value_or(std::vector<MixEntry>{})) {
      if (entry.dataset == "debian") {
        return conflict(absl::StrCat("env.reward ", worker.reward, " with dataset debian: its "
                                     "modules are single translation units without a program to "
                                     "run (size-only); use a size reward or a dataset of programs"));
      }
    }
  }
  if (validation.every_seconds > 0) {
    const std::string dataset = ValidationDataset();
    for (const MixEntry& entry : TrainingMix(*this).value_or(std::vector<MixEntry>{})) {
      if (entry.dataset == dataset && (entry.split == validation.split || entry.split == "all")) {
        return conflict(absl::StrCat("validation.split ", validation.split, " of ", dataset,
                                     " is also trained on (dataset split ", entry.split,
                                     "): the learning curve would not show generalization; "
                                     "set validation.every_seconds: 0 or another split"));
      }
    }
  }
  if (actor.learner_lost_seconds > 0 && actor.learner_lost_seconds < 5) {
    return conflict(absl::StrCat("actor.learner_lost_seconds (", actor.learner_lost_seconds,
                                 ") is shorter than 5 s while the learner publishes weights once a "
                                 "second and checkpoints pause it: actors would quit a live "
                                 "learner (0: never)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<TrainConfig> LoadTrainConfig(const std::string& path,
                                            const std::vector<std::string>& overrides) {
  return ParseTrainConfig(path, "", overrides);
}

absl::StatusOr<TrainConfig> ParseTrainConfig(const std::string& path, const std::string& text,
                                             const std::vector<std::string>& overrides) {
  TrainConfig config;
  std::vector<Field> fields = Fields(config);
  if (!path.empty() || !text.empty()) {
    YAML::Node root;
    try {
      root = text.empty() ? YAML::LoadFile(path) : YAML::Load(text);
    } catch (const YAML::BadFile&) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot read the config file"));
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", e.mark.line + 1, ": bad YAML: ", e.msg));
    }
    if (root.IsDefined() && !root.IsNull()) {
      if (!root.IsMap())
        return absl::InvalidArgumentError(absl::StrCat(path, ": expected a mapping"));
      absl::Status s = Walk(fields, root, "", path);
      if (!s.ok()) return s;
    }
  }
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--set '", o, "': expected key=value"));
    }
    YAML::Node value;
    try {
      value = YAML::Load(o.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("--set '", o, "': ", e.msg));
    }
    absl::Status s = Apply(fields, o.substr(0, eq), value, "--set");
    if (!s.ok()) return s;
  }
  absl::Status valid = config.Validate();
  if (!valid.ok()) {
    return absl::Status(valid.code(), absl::StrCat(path.empty() ? "config" : path, ": ",
                                                   valid.message()));
  }
  return config;
}

std::string DescribeConfig(const TrainConfig& config) {
  TrainConfig copy = config;
  std::string out, section;
  for (const Field& f : Fields(copy)) {
    const std::string head = f.key.substr(0, f.key.find('.'));
    if (head != section) {
      absl::StrAppend(&out, head, ":\n");
      section = head;
    }
    absl::StrAppend(&out, "  ", f.key.substr(f.key.find('.') + 1), ": ", f.show(), "  # ", f.help,
                    "\n");
  }
  return out;
}

}  // namespace passrl::launch
