#include "learner/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/clock.h"
#include "common/crc32c.h"
#include "common/durable_file.h"
#include "common/file_cache.h"
#include "common/host.h"
#include "nlohmann/json.hpp"

namespace passrl::learner {
namespace fs = std::filesystem;
namespace {

constexpr int kFormat = 1;
constexpr char kPrefix[] = "ckpt-";
constexpr char kTempPrefix[] = ".tmp-ckpt-";

int64_t SequenceOf(const std::string& name) {
  if (name.rfind(kPrefix, 0) != 0) return -1;
  const std::string digits = name.substr(sizeof(kPrefix) - 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}

std::string FileRecordName(const std::string& dir, const std::string& name) {
  return absl::StrCat(dir, "/", name);
}

absl::Status WriteTracked(const std::string& dir, const std::string& name, const std::string& bytes,
                          nlohmann::json* files, uint64_t* total) {
  absl::Status s = WriteFileDurably(FileRecordName(dir, name), bytes);
  if (!s.ok()) return s;
  (*files)[name] = {{"bytes", bytes.size()}, {"crc32c", Crc32c(bytes.data(), bytes.size())}};
  *total += bytes.size();
  return absl::OkStatus();
}

absl::Status ReadTracked(const std::string& dir, const nlohmann::json& files,
                         const std::string& name, std::string* out) {
  const std::string path = FileRecordName(dir, name);
  if (!files.contains(name)) {
    return absl::DataLossError(absl::StrCat(path, ": not listed in the manifest"));
  }
  absl::Status s = ReadFileToString(path, out);
  if (!s.ok()) return absl::DataLossError(s.message());
  const uint64_t bytes = files[name].at("bytes").get<uint64_t>();
  if (out->size() != bytes) {
    return absl::DataLossError(absl::StrCat(path, ": truncated or extended (", out->size(),
                                            " bytes, the manifest says ", bytes, ")"));
  }
  if (Crc32c(out->data(), out->size()) != files[name].at("crc32c").get<uint32_t>()) {
    return absl::DataLossError(absl::StrCat(path, ": checksum mismatch (corrupt)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckpointOptions::Validate() const {
  if (dir.empty()) return absl::InvalidArgumentError("checkpoint dir must be set");
  if (every_seconds < 0) return absl::InvalidArgumentError("checkpoint.every_seconds must be >= 0");
  if (every_updates < 0) return absl::InvalidArgumentError("checkpoint.every_updates must be >= 0");
  if (keep < 1) return absl::InvalidArgumentError("checkpoint.keep must be >= 1");
  if (chunk_transitions < 1) {
    return absl::InvalidArgumentError("checkpoint.chunk_transitions must be >= 1");
  }
  return absl::OkStatus();
}

absl::Status CheckCompatible(const CheckpointSpaces& saved, const CheckpointSpaces& now) {
  std::vector<std::string> diffs;
  if (saved.action_space_hash != now.action_space_hash || saved.num_actions != now.num_actions) {
    diffs.push_back(absl::StrFormat(
        "action space (checkpoint: %d actions, hash %016x; this build: %d actions, hash %016x)",
        saved.num_actions, saved.action_space_hash, now.num_actions, now.action_space_hash));
  }
  if (saved.obs_dim != now.obs_dim) {
    diffs.push_back(absl::StrCat("observation space (checkpoint: ", saved.obs_dim,
                                 " floats; this build: ", now.obs_dim, ")"));
  }
  if (saved.hidden != now.hidden) {
    diffs.push_back(absl::StrCat("network (checkpoint: sac.hidden [",
                                 absl::StrJoin(saved.hidden, ", "), "]; config: [",
                                 absl::StrJoin(now.hidden, ", "), "])"));
  }
  if (!saved.horizon.empty() && saved.horizon != now.horizon) {
    diffs.push_back(absl::StrCat("horizon (checkpoint: env.horizon ", saved.horizon,
                                 "; config: ", now.horizon, ")"));
  }
  if (diffs.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot resume: the checkpoint was made for a different ", absl::StrJoin(diffs, " and "),
      "; start a new run directory or use the passrl build that made it"));
}

absl::StatusOr<CheckpointStore> CheckpointStore::Open(const CheckpointOptions& options) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat(options.dir, ": cannot create the checkpoint directory: ", ec.message()));
  }
  CheckpointStore store(options);
  for (const auto& entry : fs::directory_iterator(options.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kTempPrefix, 0) == 0) fs::remove_all(entry.path(), ec);  // a crash's leftover
    store.next_sequence_ = std::max(store.next_sequence_, SequenceOf(name) + 1);
  }
  return store;
}

absl::StatusOr<std::string> CheckpointStore::Write(CheckpointContents contents,
                                                   CheckpointWriteStats* stats) {
  const double start = MonotonicSeconds();
  CheckpointWriteStats local;
  const int64_t sequence = next_sequence_++;
  const std::string name = absl::StrFormat("%s%09d", kPrefix, sequence);
  const std::string tmp = absl::StrCat(options_.dir, "/", kTempPrefix, sequence, ".", getpid());
  const std::string final_path = absl::StrCat(options_.dir, "/", name);
  std::error_code ec;
  auto fail = [&](const absl::Status& s) {
    fs::remove_all(tmp, ec);
    return absl::Status(s.code(), absl::StrCat("checkpoint ", name, " not written: ", s.message()));
  };
  fs::create_directories(tmp + "/replay", ec);
  if (ec) return fail(absl::PermissionDeniedError(absl::StrCat(tmp, ": ", ec.message())));
  nlohmann::json files = nlohmann::json::object();
  absl::Status s = WriteTracked(tmp, "agent.pt", contents.agent_state, &files, &local.bytes);
  if (s.ok()) s = WriteTracked(tmp, "config.yaml", contents.config_yaml, &files, &local.bytes);
  if (s.ok() && !contents.sequences_json.empty()) {
    s = WriteTracked(tmp, "sequences.json", contents.sequences_json, &files, &local.bytes);
  }
  if (!s.ok()) return fail(s);
  nlohmann::json replay_json = nullptr;
  if (contents.replay != nullptr) {
    auto snap = replay::WriteReplaySnapshot(*contents.replay, tmp + "/replay",
                                            options_.chunk_transitions, &local.replay);
    if (!snap.ok()) return fail(snap.status());
    replay_json = replay::ToJson(*snap);
    local.transitions = snap->state.size;
    // The replay's own count, so a resumed rate limiter and the buffer agree exactly.
    contents.counters.transitions_inserted = static_cast<uint64_t>(snap->state.inserted);
    local.bytes += local.replay.bytes;
    s = FsyncDirectory(tmp + "/replay");
    if (!s.ok()) return fail(s);
  }
  contents.counters.sequence = sequence;
  const CheckpointCounters& c = contents.counters;
  nlohmann::json m;
  m["format"] = kFormat;
  m["sequence"] = sequence;
  m["reason"] = contents.reason;
  m["created_unix"] = static_cast<int64_t>(std::time(nullptr));
  m["host"] = Hostname();
  m["pid"] = getpid();
  m["counters"] = {{"updates", c.updates},
                   {"policy_version", c.policy_version},
                   {"transitions_inserted", c.transitions_inserted},
                   {"messages_received", c.messages_received},
                   {"messages_rejected", c.messages_rejected},
                   {"elapsed_seconds", c.elapsed_seconds},
                   {"resumes", c.resumes}};
  m["spaces"] = {{"action_space_hash", absl::StrFormat("%016x", contents.spaces.action_space_hash)},
                 {"num_actions", contents.spaces.num_actions},
                 {"obs_dim", contents.spaces.obs_dim},
                 {"hidden", contents.spaces.hidden},
                 {"horizon", contents.spaces.horizon}};
  m["files"] = files;
  m["replay"] = replay_json;
  m["benchmarks"] = contents.benchmarks;
  // The manifest goes last: a directory with a manifest is complete.
  s = WriteFileDurably(tmp + "/manifest.json", m.dump(1));
  if (s.ok()) s = FsyncDirectory(tmp);
  if (s.ok()) s = RenameDurably(tmp, final_path);
  if (s.ok()) s = ReplaceFileDurably(options_.dir + "/latest", name + "\n");
  if (!s.ok()) {
    fs::remove_all(final_path, ec);
    return fail(s);
  }
  Prune(name);
  local.seconds = MonotonicSeconds() - start;
  if (stats) *stats = local;
  return final_path;
}

void CheckpointStore::Prune(const std::string& keep_latest) {
  std::vector<std::string> all = ListCheckpoints(options_.dir);
  std::error_code ec;
  for (size_t i = 0; i + static_cast<size_t>(options_.keep) < all.size(); ++i) {
    if (fs::path(all[i]).filename() == keep_latest) continue;
    fs::remove_all(all[i], ec);
  }
}

std::vector<std::string> ListCheckpoints(const std::string& checkpoints_dir) {
  std::vector<std::pair<int64_t, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(checkpoints_dir, ec)) {
    const int64_t seq = SequenceOf(entry.path().filename().string());
    if (seq >= 0 && fs::exists(entry.path() / "manifest.json", ec)) {
      found.emplace_back(seq, entry.path().string());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto& [seq, path] : found) paths.push_back(std::move(path));
  return paths;
}

absl::StatusOr<LoadedCheckpoint> LoadCheckpoint(const std::string& path, bool verify_replay) {
  LoadedCheckpoint out;
  out.path = path;
  std::string text;
  const std::string manifest_path = path + "/manifest.json";
  absl::Status s = ReadFileToString(manifest_path, &text);
  if (!s.ok()) {
    return absl::DataLossError(absl::StrCat(manifest_path, ": missing (incomplete checkpoint)"));
  }
  try {
    const nlohmann::json m = nlohmann::json::parse(text);
    if (m.at("format").get<int>() != kFormat) {
      return absl::DataLossError(
          absl::StrCat(manifest_path, ": unknown checkpoint format ", m.at("format").dump()));
    }
    const auto& c = m.at("counters");
    out.counters.sequence = m.at("sequence").get<int64_t>();
    out.counters.updates = c.at("updates").get<int64_t>();
    out.counters.policy_version = c.at("policy_version").get<uint64_t>();
    out.counters.transitions_inserted = c.at("transitions_inserted").get<uint64_t>();
    out.counters.messages_received = c.at("messages_received").get<uint64_t>();
    out.counters.messages_rejected = c.at("messages_rejected").get<uint64_t>();
    out.counters.elapsed_seconds = c.at("elapsed_seconds").get<double>();
    out.counters.resumes = c.at("resumes").get<int64_t>();
    out.reason = m.at("reason").get<std::string>();
    const auto& sp = m.at("spaces");
    out.spaces.action_space_hash =
        std::stoull(sp.at("action_space_hash").get<std::string>(), nullptr, 16);
    out.spaces.num_actions = sp.at("num_actions").get<int>();
    out.spaces.obs_dim = sp.at("obs_dim").get<int>();
    out.spaces.hidden = sp.at("hidden").get<std::vector<int>>();
    out.spaces.horizon = sp.value("horizon", "");
    out.benchmarks = m.value("benchmarks", std::vector<std::string>{});
    const nlohmann::json& files = m.at("files");
    s = ReadTracked(path, files, "agent.pt", &out.agent_state);
    if (s.ok()) s = ReadTracked(path, files, "config.yaml", &out.config_yaml);
    if (s.ok() && files.contains("sequences.json")) {
      s = ReadTracked(path, files, "sequences.json", &out.sequences_json);
    }
    if (!s.ok()) return s;
    out.replay_dir = path + "/replay";
    if (!m.at("replay").is_null()) {
      auto snap = replay::ReplaySnapshotFromJson(m.at("replay"));
      if (!snap.ok()) {
        return absl::DataLossError(absl::StrCat(manifest_path, ": ", snap.status().message()));
      }
      out.replay = *std::move(snap);
      // Verify every chunk now, so a bad one is found before anything is restored.
      if (verify_replay) {
        s = replay::ForEachReplayChunk(out.replay_dir, out.replay,
                                       [](const replay::ReplayChunk&) { return absl::OkStatus(); });
        if (!s.ok()) return absl::DataLossError(s.message());
      }
    }
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(
        manifest_path, ": unreadable manifest: ", std::string(e.what()).substr(0, 160)));
  }
  return out;
}

absl::StatusOr<LoadedCheckpoint> LoadLatestCheckpoint(const std::string& where, bool fallback,
                                                      bool verify_replay) {
  std::error_code ec;
  if (fs::exists(fs::path(where) / "manifest.json", ec))
    return LoadCheckpoint(where, verify_replay);
  std::string dir = where;
  if (fs::is_directory(fs::path(where) / "checkpoints", ec)) dir = where + "/checkpoints";
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(where, ": no such run or checkpoint directory"));
  }
  std::string latest_name;
  if (ReadFileToString(dir + "/latest", &latest_name).ok()) {
    while (!latest_name.empty() && std::isspace(static_cast<unsigned char>(latest_name.back()))) {
      latest_name.pop_back();
    }
  }
  // What `latest` names first; then (it is missing or garbled after a crash between the rename
  // and the pointer update, or, with fallback, unusable) the complete ones, newest first.
  std::vector<std::string> candidates;
  if (SequenceOf(latest_name) >= 0) candidates.push_back(dir + "/" + latest_name);
  const std::vector<std::string> all = ListCheckpoints(dir);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (fs::path(*it).filename() != latest_name) candidates.push_back(*it);
  }
  if (candidates.empty()) return absl::NotFoundError(absl::StrCat(dir, ": no checkpoint yet"));
  if (!fallback) return LoadCheckpoint(candidates.front(), verify_replay);
  absl::Status first_error;
  for (const std::string& path : candidates) {
    auto loaded = LoadCheckpoint(path, verify_replay);
    if (loaded.ok()) return loaded;
    std::fprintf(stderr, "passrl: passing over %s\n",
                 std::string(loaded.status().message()).c_str());
    if (first_error.ok()) first_error = loaded.status();
  }
  return absl::DataLossError(
      absl::StrCat("no loadable checkpoint in ", dir, "; first problem: ", first_error.message()));
}

}  // namespace passrl::learner
