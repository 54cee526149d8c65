#include "replay/hdf5_export.h"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"

namespace passrl::replay {
namespace {

// Owns one HDF5 identifier; closes it with the right H5*close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  ~Handle() {
    if (id_ >= 0 && close_) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

Handle BoolType() {
  Handle t(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
  int8_t v = 0;
  H5Tenum_insert(t.get(), "FALSE", &v);
  v = 1;
  H5Tenum_insert(t.get(), "TRUE", &v);
  return t;
}

// HDF5 file (little-endian, portable) and memory types of a column's element type; uint8_t
// columns are flags, stored as the boolean enum `boolean`.
template <typename T>
hid_t FileType(hid_t boolean);
template <typename T>
hid_t MemType(hid_t boolean);
template <> hid_t FileType<float>(hid_t) { return H5T_IEEE_F32LE; }
template <> hid_t MemType<float>(hid_t) { return H5T_NATIVE_FLOAT; }
template <> hid_t FileType<int32_t>(hid_t) { return H5T_STD_I32LE; }
template <> hid_t MemType<int32_t>(hid_t) { return H5T_NATIVE_INT32; }
template <> hid_t FileType<uint32_t>(hid_t) { return H5T_STD_U32LE; }
template <> hid_t MemType<uint32_t>(hid_t) { return H5T_NATIVE_UINT32; }
template <> hid_t FileType<uint64_t>(hid_t) { return H5T_STD_U64LE; }
template <> hid_t MemType<uint64_t>(hid_t) { return H5T_NATIVE_UINT64; }
template <> hid_t FileType<uint8_t>(hid_t boolean) { return boolean; }
template <> hid_t MemType<uint8_t>(hid_t boolean) { return boolean; }

Handle StringType() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

class Writer {
 public:
  explicit Writer(hid_t file) : file_(file) {}

  // A chunked [rows, cols] dataset (cols 0: one-dimensional).
  absl::Status Create(const std::string& name, hid_t type, int64_t rows, int cols) {
    const int rank = cols > 0 ? 2 : 1;
    hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
    Handle space(H5Screate_simple(rank, dims, nullptr), H5Sclose);
    Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (rows > 0) {
      hsize_t chunk[2] = {static_cast<hsize_t>(std::min<int64_t>(rows, 8192)),
                          static_cast<hsize_t>(cols)};
      H5Pset_chunk(props.get(), rank, chunk);
    }
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    Handle ds(
        H5Dcreate2(file_, name.c_str(), type, space.get(), lcpl.get(), props.get(), H5P_DEFAULT),
        H5Dclose);
    if (!ds.ok()) return absl::InternalError(absl::StrCat("cannot create dataset ", name));
    datasets_[name] = std::move(ds);
    return absl::OkStatus();
  }

  // Writes rows [first, first + n) from `data` (n * max(cols, 1) elements of `mem_type`).
  absl::Status Rows(const std::string& name, hid_t mem_type, int64_t first, int64_t n, int cols,
                    const void* data) {
    if (n == 0) return absl::OkStatus();
    const hid_t ds = datasets_.at(name).get();
    const int rank = cols > 0 ? 2 : 1;
    Handle file_space(H5Dget_space(ds), H5Sclose);
    hsize_t start[2] = {static_cast<hsize_t>(first), 0};
    hsize_t count[2] = {static_cast<hsize_t>(n), static_cast<hsize_t>(cols)};
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
    Handle mem_space(H5Screate_simple(rank, count, nullptr), H5Sclose);
    if (H5Dwrite(ds, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data) < 0) {
      return absl::ResourceExhaustedError(
          absl::StrCat("writing ", name, " failed (disk full or file system error)"));
    }
    return absl::OkStatus();
  }

 private:
  hid_t file_;
  std::map<std::string, Handle> datasets_;
};

absl::Status StringAttribute(hid_t object, const std::string& name,
                             const std::vector<std::string>& values, bool scalar = false) {
  Handle type = StringType();
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  hsize_t n = ptrs.size();
  Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle attr(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok() || (!ptrs.empty() && H5Awrite(attr.get(), type.get(), ptrs.data()) < 0)) {
    return absl::InternalError(absl::StrCat("cannot write attribute ", name));
  }
  return absl::OkStatus();
}

absl::Status StringDataset(hid_t file, const std::string& name,
                           const std::vector<std::string>& values) {
  Handle type = StringType();
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  hsize_t n = ptrs.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle ds(
      H5Dcreate2(file, name.c_str(), type.get(), space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose);
  if (!ds.ok() || (!ptrs.empty() && H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                             ptrs.data()) < 0)) {
    return absl::InternalError(absl::StrCat("cannot write ", name));
  }
  return absl::OkStatus();
}

absl::Status WriteAll(hid_t file, const std::string& dir, const ReplaySnapshot& snap,
                      const ExportMetadata& meta,
                      const std::function<void(int64_t, int64_t)>& progress, ExportStats* stats) {
  const int64_t n = snap.state.size;
  const int d = snap.obs_dim;
  Handle boolean = BoolType();
  Writer w(file);
  PASSRL_RETURN_IF_ERROR(w.Create("observations", H5T_IEEE_F32LE, n, d));
  PASSRL_RETURN_IF_ERROR(w.Create("next_observations", H5T_IEEE_F32LE, n, d));
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) \
  PASSRL_RETURN_IF_ERROR(w.Create(export_name, FileType<type>(boolean.get()), n, 0));
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  PASSRL_RETURN_IF_ERROR(w.Create("infos/sequence", H5T_STD_I64LE, n, 0));
  if (snap.prioritized) PASSRL_RETURN_IF_ERROR(w.Create("infos/priority", H5T_IEEE_F64LE, n, 0));
  PASSRL_RETURN_IF_ERROR(StringDataset(file, "infos/benchmark", meta.benchmark_names));
  int64_t row = 0;
  std::vector<int64_t> sequence;
  absl::Status s = ForEachReplayChunk(dir, snap, [&](const ReplayChunk& c) {
    sequence.resize(static_cast<size_t>(c.count));
    for (int64_t k = 0; k < c.count; ++k) sequence[k] = c.first_seq + k;
    PASSRL_RETURN_IF_ERROR(
        w.Rows("observations", H5T_NATIVE_FLOAT, row, c.count, d, c.observations.data()));
    PASSRL_RETURN_IF_ERROR(
        w.Rows("next_observations", H5T_NATIVE_FLOAT, row, c.count, d, c.next_observations.data()));
    PASSRL_RETURN_IF_ERROR(
        w.Rows("infos/sequence", H5T_NATIVE_INT64, row, c.count, 0, sequence.data()));
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name)                  \
  PASSRL_RETURN_IF_ERROR(                                                                \
      w.Rows(export_name, MemType<type>(boolean.get()), row, c.count, 0, c.column.data()));
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
    if (snap.prioritized && !c.priorities.empty()) {
      PASSRL_RETURN_IF_ERROR(
          w.Rows("infos/priority", H5T_NATIVE_DOUBLE, row, c.count, 0, c.priorities.data()));
    }
    row += c.count;
    ++stats->chunks;
    if (progress) progress(row, n);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  stats->transitions = row;
  PASSRL_RETURN_IF_ERROR(StringAttribute(file, "format", {"passrl-replay-1"}, true));
  PASSRL_RETURN_IF_ERROR(StringAttribute(file, "action_names", meta.action_names));
  PASSRL_RETURN_IF_ERROR(StringAttribute(file, "feature_names", meta.feature_names));
  PASSRL_RETURN_IF_ERROR(
      StringAttribute(file, "action_space_hash", {meta.action_space_hash}, true));
  PASSRL_RETURN_IF_ERROR(StringAttribute(file, "config", {meta.config_yaml}, true));
  PASSRL_RETURN_IF_ERROR(StringAttribute(file, "source", {meta.source}, true));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ExportStats> ExportReplayToHdf5(
    const std::string& snapshot_dir, const ReplaySnapshot& snapshot, const ExportMetadata& meta,
    const std::string& out_path, const std::function<void(int64_t, int64_t)>& progress) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors come back as statuses, not stderr dumps
  if (!meta.feature_names.empty() &&
      static_cast<int>(meta.feature_names.size()) != snapshot.obs_dim) {
    return absl::InvalidArgumentError(absl::StrCat(meta.feature_names.size(), " feature names for ",
                                                   snapshot.obs_dim, "-float observations"));
  }
  const std::string tmp = out_path + ".tmp";
  ExportStats stats;
  {
    Handle file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) {
      return absl::PermissionDeniedError(absl::StrCat(
          out_path, ": cannot create the export file (directory missing or not writable?)"));
    }
    absl::Status s = WriteAll(file.get(), snapshot_dir, snapshot, meta, progress, &stats);
    if (s.ok() && H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) {
      s = absl::ResourceExhaustedError("flush failed (disk full?)");
    }
    if (!s.ok()) {
      file = Handle();
      std::remove(tmp.c_str());
      return absl::Status(s.code(), absl::StrCat(out_path, ": export failed: ", s.message()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out_path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return absl::PermissionDeniedError(absl::StrCat(out_path, ": ", ec.message()));
  }
  stats.bytes = std::filesystem::file_size(out_path, ec);
  return stats;
}

namespace {

// Reads rows [first, first+n) of a one-dimensional dataset as `mem_type`.
template <typename T>
absl::Status ReadRows(hid_t file, const char* name, hid_t mem_type, int64_t first, int64_t n,
                      std::vector<T>* out) {
  Handle ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) return absl::DataLossError(absl::StrCat("missing dataset ", name));
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  hsize_t start = static_cast<hsize_t>(first), count = static_cast<hsize_t>(n);
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr);
  Handle mem(H5Screate_simple(1, &count, nullptr), H5Sclose);
  out->resize(static_cast<size_t>(n));
  if (H5Dread(ds.get(), mem_type, mem.get(), space.get(), H5P_DEFAULT, out->data()) < 0) {
    return absl::DataLossError(absl::StrCat("cannot read ", name));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> InspectHdf5Replay(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an HDF5 file (or unreadable)"));
  }
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open"));
  Handle obs(H5Dopen2(file.get(), "observations", H5P_DEFAULT), H5Dclose);
  if (!obs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no 'observations' dataset: not a replay export"));
  }
  hsize_t dims[2] = {0, 0};
  Handle space(H5Dget_space(obs.get()), H5Sclose);
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const int64_t n = static_cast<int64_t>(dims[0]);
  double reward_sum = 0, reward_min = INFINITY, reward_max = -INFINITY;
  int64_t terminals = 0, timeouts = 0;
  uint64_t version_min = UINT64_MAX, version_max = 0;
  std::set<std::pair<int32_t, uint64_t>> episodes;  // (actor, episode id)
  std::map<uint32_t, int64_t> per_benchmark;
  std::map<int32_t, int64_t> per_actor, per_action;
  std::vector<float> rewards;
  std::vector<int8_t> term, trunc;
  std::vector<int32_t> actors, actions;
  std::vector<uint64_t> episode_ids, versions;
  std::vector<uint32_t> benchmarks;
  constexpr int64_t kRows = 65536;
  for (int64_t first = 0; first < n; first += kRows) {
    const int64_t m = std::min(kRows, n - first);
    const hid_t f = file.get();
    for (absl::Status s :
         {ReadRows(f, "rewards", H5T_NATIVE_FLOAT, first, m, &rewards),
          ReadRows(f, "terminals", H5T_NATIVE_INT8, first, m, &term),
          ReadRows(f, "timeouts", H5T_NATIVE_INT8, first, m, &trunc),
          ReadRows(f, "actions", H5T_NATIVE_INT32, first, m, &actions),
          ReadRows(f, "infos/actor_id", H5T_NATIVE_INT32, first, m, &actors),
          ReadRows(f, "infos/episode_id", H5T_NATIVE_UINT64, first, m, &episode_ids),
          ReadRows(f, "infos/policy_version", H5T_NATIVE_UINT64, first, m, &versions),
          ReadRows(f, "infos/benchmark_id", H5T_NATIVE_UINT32, first, m, &benchmarks)}) {
      if (!s.ok()) return absl::DataLossError(absl::StrCat(path, ": ", s.message()));
    }
    for (int64_t i = 0; i < m; ++i) {
      reward_sum += rewards[i];
      reward_min = std::min<double>(reward_min, rewards[i]);
      reward_max = std::max<double>(reward_max, rewards[i]);
      terminals += term[i] != 0;
      timeouts += trunc[i] != 0;
      version_min = std::min(version_min, versions[i]);
      version_max = std::max(version_max, versions[i]);
      episodes.emplace(actors[i], episode_ids[i]);
      ++per_benchmark[benchmarks[i]];
      ++per_actor[actors[i]];
      ++per_action[actions[i]];
    }
  }
  std::vector<std::string> names;
  {
    Handle ds(H5Dopen2(file.get(), "infos/benchmark", H5P_DEFAULT), H5Dclose);
    if (ds.ok()) {
      Handle s(H5Dget_space(ds.get()), H5Sclose);
      const hssize_t count = H5Sget_simple_extent_npoints(s.get());
      std::vector<char*> ptrs(static_cast<size_t>(std::max<hssize_t>(count, 0)), nullptr);
      Handle type = StringType();
      if (count > 0 &&
          H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) >= 0) {
        for (char* p : ptrs) names.emplace_back(p ? p : "");
        H5Dvlen_reclaim(type.get(), s.get(), H5P_DEFAULT, ptrs.data());
      }
    }
  }
  std::string out = absl::StrFormat(
      "%s: %d transitions, observations %d floats, %d actions used, %d actors, %d episodes\n", path,
      n, dims[1], per_action.size(), per_actor.size(), episodes.size());
  if (n == 0) return out;
  absl::StrAppendFormat(&out,
                        "rewards: mean %+.4f  min %+.4f  max %+.4f  sum %+.2f\n"
                        "terminals %d, timeouts %d; policy versions %d..%d\n",
                        reward_sum / n, reward_min, reward_max, reward_sum, terminals, timeouts,
                        version_min, version_max);
  std::vector<std::pair<int64_t, uint32_t>> by_count;
  for (auto [id, count] : per_benchmark) by_count.emplace_back(count, id);
  std::sort(by_count.rbegin(), by_count.rend());
  out += "transitions per benchmark:\n";
  for (size_t i = 0; i < by_count.size() && i < 20; ++i) {
    const uint32_t id = by_count[i].second;
    absl::StrAppendFormat(&out, "  %-32s %d\n", id < names.size() ? names[id] : "?",
                          by_count[i].first);
  }
  if (by_count.size() > 20) absl::StrAppendFormat(&out, "  ... %d more\n", by_count.size() - 20);
  return out;
}

}  // namespace passrl::replay
