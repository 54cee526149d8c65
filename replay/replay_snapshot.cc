#include "replay/replay_snapshot.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "common/crc32c.h"
#include "common/durable_file.h"
#include "common/file_cache.h"

namespace passrl::replay {
namespace {

constexpr char kMagic[8] = {'P', 'R', 'L', 'R', 'P', 'L', 'Y', '1'};
constexpr uint32_t kFormat = 1;
constexpr size_t kHeaderBytes = 40;

struct Header {
  uint32_t format, obs_dim;
  int64_t first_seq, count;
  uint32_t flags, reserved;
};
static_assert(sizeof(Header) == kHeaderBytes - sizeof(kMagic));

std::string Serialize(const ReplayChunk& c) {
  Header h{kFormat, static_cast<uint32_t>(c.obs_dim), c.first_seq,
           c.count, c.priorities.empty() ? 0u : 1u,   0};
  std::string out(kMagic, sizeof(kMagic));
  out.append(reinterpret_cast<const char*>(&h), sizeof(h));
  ReplayChunk::ForEachColumn(c, [&out](const auto& column) {
    out.append(reinterpret_cast<const char*>(column.data()),
               column.size() * sizeof(column.front()));
  });
  const uint32_t crc = Crc32c(out.data(), out.size());
  out.append(reinterpret_cast<const char*>(&crc), sizeof(crc));
  return out;
}

}  // namespace

absl::StatusOr<ReplaySnapshot> WriteReplaySnapshot(const ReplayBuffer& buffer,
                                                   const std::string& dir,
                                                   int64_t chunk_transitions,
                                                   SnapshotStats* stats) {
  if (chunk_transitions < 1) return absl::InvalidArgumentError("chunk_transitions must be >= 1");
  const double start = MonotonicSeconds();
  SnapshotStats local;
  ReplaySnapshot snap;
  snap.obs_dim = buffer.options().obs_dim;
  snap.prioritized = buffer.options().prioritized;
  auto drop_files = [&] {
    for (const auto& f : snap.files) std::filesystem::remove(dir + "/" + f.name);
    snap.files.clear();
  };
  // The snapshot is the sequence range [end - size, end) as of its start. Ingestion goes on; if it
  // overwrites transitions not yet copied, the copied ones before the gap are dropped (the
  // snapshot stays contiguous); if it overwrites all of them, the snapshot starts over.
  constexpr int kAttempts = 4;
  ReplayChunk chunk;
  bool complete = false;
  for (int attempt = 0; attempt < kAttempts && !complete; ++attempt) {
    drop_files();
    snap.state = buffer.State();
    const int64_t end = snap.state.inserted;
    int64_t seq = end - snap.state.size;
    complete = true;
    while (seq < end) {
      const double lock_start = MonotonicSeconds();
      const int64_t n = buffer.ReadChunk(seq, end, chunk_transitions, &chunk);
      local.max_lock_seconds = std::max(local.max_lock_seconds, MonotonicSeconds() - lock_start);
      if (n == 0) {  // everything left was overwritten
        complete = false;
        break;
      }
      if (chunk.first_seq != seq) drop_files();
      const std::string bytes = Serialize(chunk);
      ReplaySnapshot::File f;
      f.name = absl::StrFormat("chunk-%06d.bin", local.chunks);
      f.first_seq = chunk.first_seq;
      f.count = n;
      f.bytes = bytes.size();
      std::memcpy(&f.crc32c, bytes.data() + bytes.size() - 4, 4);
      absl::Status written = WriteFileDurably(dir + "/" + f.name, bytes);
      if (!written.ok()) {
        drop_files();
        return written;
      }
      snap.files.push_back(f);
      ++local.chunks;
      local.bytes += bytes.size();
      seq = chunk.first_seq + n;
    }
  }
  if (!complete) {
    drop_files();
    return absl::UnavailableError(absl::StrCat(
        "replay snapshot: ingestion overwrote the buffer faster than it could be written, ",
        kAttempts, " times; use a larger replay.capacity or checkpoint.chunk_transitions"));
  }
  int64_t held = 0;
  for (const auto& f : snap.files) held += f.count;
  snap.state.size = held;
  local.seconds = MonotonicSeconds() - start;
  if (stats) *stats = local;
  return snap;
}

absl::StatusOr<ReplayChunk> ReadReplayChunkFile(const std::string& path) {
  std::string bytes;
  absl::Status read = ReadFileToString(path, &bytes);
  if (!read.ok()) return read;
  auto corrupt = [&path](const std::string& why) {
    return absl::DataLossError(absl::StrCat(path, ": corrupt replay chunk: ", why));
  };
  if (bytes.size() < kHeaderBytes + 4 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return corrupt("not a replay chunk (bad magic or too short)");
  }
  uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  if (Crc32c(bytes.data(), bytes.size() - 4) != stored_crc) return corrupt("checksum mismatch");
  Header h;
  std::memcpy(&h, bytes.data() + sizeof(kMagic), sizeof(h));
  if (h.format != kFormat) return corrupt(absl::StrCat("unknown format ", h.format));
  if (h.obs_dim == 0 || h.obs_dim > 1'000'000 || h.count < 0 || h.count > (int64_t{1} << 40)) {
    return corrupt("absurd header");
  }
  ReplayChunk c;
  c.obs_dim = static_cast<int>(h.obs_dim);
  c.first_seq = h.first_seq;
  c.Resize(h.count, (h.flags & 1) != 0);
  size_t need = kHeaderBytes + 4;
  ReplayChunk::ForEachColumn(c, [&need](auto& column) { need += column.size() * sizeof(column.front()); });
  if (need != bytes.size()) {
    return corrupt(absl::StrCat(bytes.size(), " bytes where the header implies ", need));
  }
  size_t at = kHeaderBytes;
  ReplayChunk::ForEachColumn(c, [&](auto& column) {
    const size_t n = column.size() * sizeof(column.front());
    if (n > 0) std::memcpy(column.data(), bytes.data() + at, n);
    at += n;
  });
  return c;
}

absl::Status ForEachReplayChunk(const std::string& dir, const ReplaySnapshot& snapshot,
                                const std::function<absl::Status(const ReplayChunk&)>& visit) {
  for (const ReplaySnapshot::File& f : snapshot.files) {
    const std::string path = dir + "/" + f.name;
    absl::StatusOr<ReplayChunk> chunk = ReadReplayChunkFile(path);
    if (!chunk.ok()) return chunk.status();
    if (chunk->first_seq != f.first_seq || chunk->count != f.count ||
        chunk->obs_dim != snapshot.obs_dim) {
      return absl::DataLossError(
          absl::StrCat(path, ": replay chunk does not match the checkpoint manifest"));
    }
    absl::Status s = visit(*chunk);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RestoreReplaySnapshot(const std::string& dir, const ReplaySnapshot& snapshot,
                                   ReplayBuffer* buffer) {
  if (snapshot.obs_dim != buffer->options().obs_dim) {
    return absl::FailedPreconditionError(
        absl::StrCat("the checkpoint's replay holds ", snapshot.obs_dim,
                     "-float observations; this run uses ", buffer->options().obs_dim));
  }
  absl::Status s = buffer->RestoreState(snapshot.state);
  if (!s.ok()) return s;
  return ForEachReplayChunk(dir, snapshot, [buffer, &snapshot](const ReplayChunk& c) {
    if (buffer->options().prioritized && !snapshot.prioritized) {
      ReplayChunk with_priorities = c;  // uniform checkpoint into a prioritized buffer
      with_priorities.priorities.assign(static_cast<size_t>(c.count), 1.0);
      return buffer->RestoreChunk(with_priorities);
    }
    if (!buffer->options().prioritized && snapshot.prioritized) {
      ReplayChunk without = c;
      without.priorities.clear();
      return buffer->RestoreChunk(without);
    }
    return buffer->RestoreChunk(c);
  });
}

nlohmann::json ToJson(const ReplaySnapshot& s) {
  nlohmann::json j;
  j["obs_dim"] = s.obs_dim;
  j["prioritized"] = s.prioritized;
  j["inserted"] = s.state.inserted;
  j["size"] = s.state.size;
  j["max_priority"] = s.state.max_priority;
  j["sampler_state"] = s.state.rng;
  j["files"] = nlohmann::json::array();
  for (const auto& f : s.files) {
    j["files"].push_back({{"name", f.name},
                          {"first_seq", f.first_seq},
                          {"count", f.count},
                          {"bytes", f.bytes},
                          {"crc32c", f.crc32c}});
  }
  return j;
}

absl::StatusOr<ReplaySnapshot> ReplaySnapshotFromJson(const nlohmann::json& j) {
  try {
    ReplaySnapshot s;
    s.obs_dim = j.at("obs_dim").get<int>();
    s.prioritized = j.at("prioritized").get<bool>();
    s.state.inserted = j.at("inserted").get<int64_t>();
    s.state.size = j.at("size").get<int64_t>();
    s.state.max_priority = j.at("max_priority").get<double>();
    s.state.rng = j.at("sampler_state").get<std::string>();
    int64_t total = 0;
    for (const auto& f : j.at("files")) {
      ReplaySnapshot::File file;
      file.name = f.at("name").get<std::string>();
      if (file.name.find('/') != std::string::npos || file.name.rfind("..", 0) == 0) {
        return absl::InvalidArgumentError(absl::StrCat("bad replay file name '", file.name, "'"));
      }
      file.first_seq = f.at("first_seq").get<int64_t>();
      file.count = f.at("count").get<int64_t>();
      file.bytes = f.at("bytes").get<uint64_t>();
      file.crc32c = f.at("crc32c").get<uint32_t>();
      total += file.count;
      s.files.push_back(file);
    }
    if (total != s.state.size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "replay files hold ", total, " transitions, the manifest says ", s.state.size));
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("replay description: ", e.what()));
  }
}

}  // namespace passrl::replay
