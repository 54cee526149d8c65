#include "envs/debian_index.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/file_cache.h"
#include "nlohmann/json.hpp"

namespace passrl::envs {

absl::StatusOr<std::vector<DebianPackage>> ReadDebianPackages(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read package list ", path));
  std::vector<DebianPackage> packages;
  std::set<std::string> names;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> cols = absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const std::string where = absl::StrCat(path, ":", number, ": ");
    if (cols.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected 'package kind split', got '", text, "'"));
    }
    auto split = ParseSplit(cols[2]);
    if (!split.ok() || *split == Split::kAll) {
      return absl::InvalidArgumentError(absl::StrCat(where, "bad split '", cols[2], "'"));
    }
    if (!names.insert(cols[0]).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, "package ", cols[0], " listed twice"));
    }
    packages.push_back({cols[0], cols[1], *split});
  }
  return packages;
}

Split DebianSplitOf(const std::vector<DebianPackage>& listed, const std::string& package) {
  for (const DebianPackage& p : listed) {
    if (p.name == package) return p.split;
  }
  return HashSplit(package);
}

std::string PackageResult::ToJson() const {
  nlohmann::json modules_json = nlohmann::json::array();
  for (const CorpusModule& m : modules) {
    modules_json.push_back({{"name", m.name},
                            {"source", m.source},
                            {"ir_hash", absl::StrCat(m.ir_hash)},
                            {"instructions", m.instructions},
                            {"has_main", m.has_main},
                            {"baselines", m.baselines.Serialize()}});
  }
  nlohmann::json j = {{"package", package},         {"version", version},
                      {"build_system", build_system}, {"ok", ok}, {"fetched", fetched},
                      {"error", error},             {"translation_units", translation_units},
                      {"tu_errors", tu_errors},     {"trivial", trivial},
                      {"duplicates", duplicates},   {"fetch_seconds", fetch_seconds},
                      {"build_seconds", build_seconds}, {"emit_seconds", emit_seconds},
                      {"inspect_seconds", inspect_seconds}, {"modules", modules_json}};
  return j.dump(1);
}

absl::StatusOr<PackageResult> PackageResult::FromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError("package result is not a JSON object");
  }
  PackageResult r;
  try {
    r.package = j.at("package").get<std::string>();
    r.version = j.value("version", "");
    r.build_system = j.value("build_system", "");
    r.ok = j.at("ok").get<bool>();
    r.fetched = j.value("fetched", false);
    r.error = j.value("error", "");
    r.translation_units = j.value("translation_units", 0);
    r.tu_errors = j.value("tu_errors", std::vector<std::string>{});
    r.trivial = j.value("trivial", 0);
    r.duplicates = j.value("duplicates", 0);
    r.fetch_seconds = j.value("fetch_seconds", 0.0);
    r.build_seconds = j.value("build_seconds", 0.0);
    r.emit_seconds = j.value("emit_seconds", 0.0);
    r.inspect_seconds = j.value("inspect_seconds", 0.0);
    for (const auto& m : j.at("modules")) {
      CorpusModule module;
      module.name = m.at("name").get<std::string>();
      module.source = m.value("source", "");
      if (!absl::SimpleAtoi(m.at("ir_hash").get<std::string>(), &module.ir_hash)) {
        return absl::DataLossError(absl::StrCat("bad ir_hash for module ", module.name));
      }
      module.instructions = m.at("instructions").get<int64_t>();
      module.has_main = m.value("has_main", false);
      auto baselines = Baselines::Parse(m.at("baselines").get<std::string>());
      if (!baselines.ok()) return baselines.status();
      module.baselines = *baselines;
      r.modules.push_back(std::move(module));
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat("package result: ", e.what()));
  }
  return r;
}

std::vector<PackageResult> ReadBuiltPackages(const std::string& cache_dir) {
  std::vector<PackageResult> results;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(cache_dir + "/debian/packages", ec)) {
    std::string text;
    if (!ReadFileToString((entry.path() / "result.json").string(), &text).ok()) continue;
    auto result = PackageResult::FromJson(text);
    if (result.ok() && result->ok) results.push_back(*std::move(result));
  }
  std::sort(results.begin(), results.end(),
            [](const auto& a, const auto& b) { return a.package < b.package; });
  return results;
}

std::string DebianPackageDir(const std::string& cache_dir, const std::string& package) {
  return absl::StrCat(cache_dir, "/debian/packages/", package);
}

std::string DebianModulePath(const std::string& cache_dir, const std::string& package,
                             const std::string& module) {
  return absl::StrCat(DebianPackageDir(cache_dir, package), "/modules/", module, ".bc");
}

}  // namespace passrl::envs
