#include "sweep/spec.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/short_decimal.h"
#include "common/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace passrl::sweep {
namespace {

// One key of the spec file: its dotted name and how to read it (throws YAML::Exception).
struct SpecField {
  std::string key;
  std::function<void(const YAML::Node&)> set;
};

template <typename T>
SpecField Field(const std::string& key, T* target) {
  return {key, [target](const YAML::Node& n) { *target = n.as<T>(); }};
}

// The spec's keys (params and fixed are read separately: their keys are the training config's).
std::vector<SpecField> SpecFields(SweepSpec& s, std::string* task) {
  return {
      Field("base_config", &s.base_config),
      Field("task", task),
      Field("strategy", &s.strategy),
      Field("trials", &s.trials),
      Field("seed", &s.seed),
      Field("budget_seconds", &s.budget_seconds),
      Field("rungs.min_seconds", &s.rungs.min_seconds),
      Field("rungs.max_seconds", &s.rungs.max_seconds),
      Field("rungs.eta", &s.rungs.eta),
      Field("score.dataset", &s.score.dataset),
      Field("score.split", &s.score.split),
      Field("score.sample", &s.score.sample),
      Field("score.benchmarks", &s.score.benchmarks),
      Field("score.timeout_seconds", &s.score.timeout_seconds),
      Field("local.concurrent_trials", &s.local.concurrent_trials),
      Field("local.actors_per_trial", &s.local.actors_per_trial),
      Field("slurm.max_running", &s.slurm.max_running),
      Field("slurm.sbatch_args", &s.slurm.sbatch_args),
      Field("slurm.poll_seconds", &s.slurm.poll_seconds),
  };
}

// Keys the sweep itself sets per trial and rung.
constexpr const char* kReservedKeys[] = {"run.dir", "run.duration_seconds"};

std::string Flow(const YAML::Node& node) {
  YAML::Emitter e;
  e << YAML::Flow << node;
  return e.c_str();
}

absl::Status Error(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::Status ReadFields(std::vector<SpecField>& fields, const YAML::Node& node,
                        const std::string& prefix, const std::string& where) {
  for (const auto& entry : node) {
    const std::string key = absl::StrCat(prefix, entry.first.as<std::string>());
    if (entry.second.IsMap()) {
      const bool section = std::any_of(fields.begin(), fields.end(), [&](const SpecField& f) {
        return f.key.rfind(key + ".", 0) == 0;
      });
      if (!section) return Error(where, absl::StrCat("unknown key '", key, "'"));
      PASSRL_RETURN_IF_ERROR(ReadFields(fields, entry.second, key + ".", where));
      continue;
    }
    auto f = std::find_if(fields.begin(), fields.end(),
                          [&](const SpecField& x) { return x.key == key; });
    if (f == fields.end()) return Error(where, absl::StrCat("unknown key '", key, "'"));
    try {
      f->set(entry.second);
    } catch (const YAML::Exception&) {
      return Error(where, absl::StrCat("bad value for '", key, "': '", Flow(entry.second), "'"));
    }
  }
  return absl::OkStatus();
}

// params.KEY: a list of choices, {choices: [...]}, or {range: [low, high], log, integer}.
absl::StatusOr<Param> ReadParam(const std::string& key, const YAML::Node& node,
                                const std::string& where) {
  const std::string at = absl::StrCat(where, ": params.", key);
  Param p;
  p.key = key;
  YAML::Node choices;  // reset(), not =: assigning a yaml-cpp node writes through it
  bool has_choices = node.IsSequence();
  if (has_choices) choices.reset(node);
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string k = entry.first.as<std::string>();
      if (k != "choices" && k != "range" && k != "log" && k != "integer") {
        return Error(at, absl::StrCat("unknown key '", k, "' (choices, range, log, integer)"));
      }
    }
    if (node["choices"]) {
      choices.reset(node["choices"]);
      has_choices = true;
    }
    try {
      if (node["range"]) {
        if (has_choices) return Error(at, "give choices or a range, not both");
        if (!node["range"].IsSequence() || node["range"].size() != 2)
          return Error(at, "range: expected [low, high]");
        p.low = node["range"][0].as<double>();
        p.high = node["range"][1].as<double>();
        if (node["log"]) p.log = node["log"].as<bool>();
        if (node["integer"]) p.integer = node["integer"].as<bool>();
      }
    } catch (const YAML::Exception&) {
      return Error(at, "range: expected two numbers, log and integer true or false");
    }
  } else if (!node.IsSequence()) {
    return Error(at, "expected a list of choices or {range: [low, high]}");
  }
  if (has_choices) {
    if (!choices.IsSequence() || choices.size() == 0) return Error(at, "choices: an empty list");
    for (const YAML::Node& c : choices) p.choices.push_back(Flow(c));
  } else if (node.IsMap() && !node["range"]) {
    return Error(at, "expected choices or a range");
  }
  if (p.is_range()) {
    if (!(p.low <= p.high) || !std::isfinite(p.low) || !std::isfinite(p.high))
      return Error(at, "range: low must be <= high, both finite");
    if (p.log && !(p.low > 0)) return Error(at, "a log range needs low > 0");
    if (p.integer && std::ceil(p.low) > std::floor(p.high))
      return Error(at, "an integer range must hold an integer");
  }
  return p;
}

// The values a check sees for one param: every choice, or both ends of a range.
std::vector<std::string> Probes(const Param& p) {
  if (!p.is_range()) return p.choices;
  auto show = [&p](double v) { return absl::StrCat(v); };
  if (p.integer) return {absl::StrCat(std::ceil(p.low)), absl::StrCat(std::floor(p.high))};
  return {show(p.low), show(p.high)};
}

// A value of a range from u in [0, 1): log-uniform if asked; integers uniform over low..high
// (each end as likely as any other value); printed with 4 significant digits, more only where
// those would fall outside the range.
std::string DrawRange(const Param& p, double u) {
  if (p.integer) {
    const double lo = std::ceil(p.low), hi = std::floor(p.high);
    return std::to_string(static_cast<int64_t>(std::min(hi, std::floor(lo + u * (hi - lo + 1)))));
  }
  const double x = p.log
                       ? std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)))
                       : p.low + u * (p.high - p.low);
  return ShortDecimal(std::clamp(x, p.low, p.high), p.low, p.high, /*min_digits=*/4);
}

absl::Status CheckSpec(const SweepSpec& s, const std::string& task) {
  const std::string& w = s.where;
  if (s.base_config.empty()) return Error(w, "base_config: a training config is needed");
  if (!ParseTask(task).ok())
    return Error(w, absl::StrCat("task '", task, "': ir, text or runtime"));
  if (s.strategy != "random" && s.strategy != "grid")
    return Error(w, absl::StrCat("strategy '", s.strategy, "': random or grid"));
  if (s.trials < 1) return Error(w, "trials must be >= 1");
  if (!(s.rungs.min_seconds > 0)) return Error(w, "rungs.min_seconds must be > 0");
  if (s.rungs.max_seconds != 0 && !(s.rungs.max_seconds >= s.rungs.min_seconds))
    return Error(w, "rungs.max_seconds must be 0 or >= rungs.min_seconds");
  if (!(s.rungs.eta >= 2)) return Error(w, "rungs.eta must be >= 2");
  if (!(s.budget_seconds >= 0)) return Error(w, "budget_seconds must be >= 0");
  if (s.score.sample < 1) return Error(w, "score.sample must be >= 1");
  if (!(s.score.timeout_seconds > 0)) return Error(w, "score.timeout_seconds must be > 0");
  if (s.local.concurrent_trials < 0) return Error(w, "local.concurrent_trials must be >= 0");
  if (s.local.actors_per_trial < 1) return Error(w, "local.actors_per_trial must be >= 1");
  if (s.slurm.max_running < 1) return Error(w, "slurm.max_running must be >= 1");
  if (!(s.slurm.poll_seconds > 0)) return Error(w, "slurm.poll_seconds must be > 0");
  if (s.params.empty()) return Error(w, "params: nothing to vary");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Task> ParseTask(const std::string& name) {
  if (name == "ir") return Task::kIr;
  if (name == "text") return Task::kText;
  if (name == "runtime") return Task::kRuntime;
  return absl::InvalidArgumentError(absl::StrCat("task '", name, "': ir, text or runtime"));
}

const char* TaskName(Task task) {
  switch (task) {
    case Task::kIr:
      return "ir";
    case Task::kText:
      return "text";
    case Task::kRuntime:
      return "runtime";
  }
  return "?";
}

std::vector<double> Rungs::Durations() const {
  const double top = max_seconds > 0 ? max_seconds : min_seconds;
  std::vector<double> out;
  for (double d = min_seconds; d < top * (1 - 1e-9); d *= eta) out.push_back(d);
  out.push_back(top);
  return out;
}

absl::StatusOr<SweepSpec> ParseSweepSpec(const std::string& where, const std::string& text,
                                         const OverrideCheck& check) {
  SweepSpec s;
  s.where = where;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(absl::StrCat(where, ":", e.mark.line + 1), absl::StrCat("bad YAML: ", e.msg));
  }
  if (!root.IsMap()) return Error(where, "expected a mapping (base_config, params, rungs, ...)");
  std::string task = "ir";
  std::vector<SpecField> fields = SpecFields(s, &task);
  try {
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      if (key == "params" || key == "fixed") {
        if (!entry.second.IsMap()) return Error(where, absl::StrCat(key, ": expected a mapping"));
        for (const auto& p : entry.second) {
          const std::string k = p.first.as<std::string>();
          for (const char* reserved : kReservedKeys) {
            if (k == reserved)
              return Error(where, absl::StrCat(key, ".", k, ": set by the sweep for each trial"));
          }
          if (key == "fixed") {
            s.fixed.push_back(absl::StrCat(k, "=", Flow(p.second)));
            continue;
          }
          PASSRL_ASSIGN_OR_RETURN(Param param, ReadParam(k, p.second, where));
          s.params.push_back(std::move(param));
        }
        continue;
      }
      YAML::Node one;
      one[key] = entry.second;
      PASSRL_RETURN_IF_ERROR(ReadFields(fields, one, "", where));
    }
  } catch (const YAML::Exception& e) {  // keys that are not plain scalars, say
    return Error(absl::StrCat(where, ":", e.mark.line + 1), absl::StrCat("bad spec: ", e.msg));
  }
  PASSRL_RETURN_IF_ERROR(CheckSpec(s, task));
  s.task = *ParseTask(task);
  for (const std::string& f : s.fixed) {
    absl::Status ok = check(s.base_config, {f});
    if (!ok.ok()) return Error(where, absl::StrCat("fixed: ", ok.message()));
  }
  for (const Param& p : s.params) {
    for (const std::string& v : Probes(p)) {
      absl::Status ok = check(s.base_config, {absl::StrCat(p.key, "=", v)});
      if (!ok.ok()) return Error(where, absl::StrCat("params.", p.key, ": ", ok.message()));
    }
  }
  return s;
}

absl::StatusOr<std::vector<TrialConfig>> DrawTrials(const SweepSpec& spec,
                                                    const OverrideCheck& check) {
  std::vector<TrialConfig> trials;
  if (spec.strategy == "grid") {
    size_t total = 1;
    for (const Param& p : spec.params) {
      if (p.is_range())
        return Error(spec.where,
                     absl::StrCat("params.", p.key, ": a grid needs choices, not a range"));
      total *= p.choices.size();
    }
    for (size_t i = 0; i < total; ++i) {
      TrialConfig t{static_cast<int>(i), {}};
      size_t rest = i;  // mixed radix, the last param fastest
      std::vector<std::string> values(spec.params.size());
      for (size_t k = spec.params.size(); k-- > 0;) {
        const Param& p = spec.params[k];
        values[k] = absl::StrCat(p.key, "=", p.choices[rest % p.choices.size()]);
        rest /= p.choices.size();
      }
      t.overrides = values;
      trials.push_back(std::move(t));
    }
  } else {
    std::mt19937_64 rng(spec.seed);
    for (int i = 0; i < spec.trials; ++i) {
      TrialConfig t{i, {}};
      for (const Param& p : spec.params) {
        std::string value;
        if (!p.is_range()) {
          value = p.choices[std::uniform_int_distribution<size_t>(0, p.choices.size() - 1)(rng)];
        } else {
          value = DrawRange(p, std::uniform_real_distribution<double>(0, 1)(rng));
        }
        t.overrides.push_back(absl::StrCat(p.key, "=", value));
      }
      trials.push_back(std::move(t));
    }
  }
  for (const TrialConfig& t : trials) {
    std::vector<std::string> all = spec.fixed;
    all.insert(all.end(), t.overrides.begin(), t.overrides.end());
    absl::Status ok = check(spec.base_config, all);
    if (!ok.ok()) {
      return Error(spec.where, absl::StrCat("trial ", t.id, " (", absl::StrJoin(t.overrides, " "),
                                            "): ", ok.message()));
    }
  }
  return trials;
}

}  // namespace passrl::sweep
