#include "corpus/apt_source.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/file_cache.h"
#include "common/subprocess.h"

namespace passrl::corpus {
namespace fs = std::filesystem;
namespace {

std::string OsCodename() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "VERSION_CODENAME=")) {
      return std::string(absl::StripSuffix(absl::StripPrefix(line.substr(17), "\""), "\""));
    }
  }
  return "bookworm";
}

// The last line of apt's stderr that says "E:" (its error), else the last non-empty line.
std::string AptError(const SubprocessResult& result) {
  std::string last;
  for (absl::string_view line : absl::StrSplit(result.err, '\n', absl::SkipWhitespace())) {
    if (absl::StartsWith(line, "E:")) return std::string(line);
    last = std::string(line);
  }
  return last.empty() ? result.Describe() : last;
}

}  // namespace

AptSource::AptSource(AptSourceOptions options) : options_(std::move(options)) {
  if (options_.suite.empty()) options_.suite = OsCodename();
}

std::vector<std::string> AptSource::AptGet(const std::string& program) const {
  const std::string& d = options_.dir;
  return {program,
          "-o", "Dir::Etc::SourceList=" + d + "/sources.list",
          "-o", "Dir::Etc::SourceParts=" + d + "/sources.list.d",
          "-o", "Dir::State::Lists=" + d + "/lists",
          "-o", "Dir::Cache=" + d + "/cache",
          "-o", "Debug::NoLocking=1",
          "-o", "APT::Get::Only-Source=false",
          "-q"};
}

absl::Status AptSource::Update() {
  std::error_code ec;
  for (const char* sub : {"/sources.list.d", "/lists/partial", "/cache/archives/partial"}) {
    fs::create_directories(options_.dir + sub, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", options_.dir, sub, ": ",
                                                    ec.message()));
  }
  const std::string keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
  const std::string list = absl::StrCat("deb-src [signed-by=", keyring, "] ", options_.mirror,
                                        " ", options_.suite, " main\n");
  std::string old;
  const bool same_list = ReadFileToString(options_.dir + "/sources.list", &old).ok() && old == list;
  if (!same_list) {
    absl::Status written = WriteFileAtomically(options_.dir + "/sources.list", list);
    if (!written.ok()) return written;
  }
  bool fresh = same_list;
  const fs::path stamp = options_.dir + "/lists/updated";
  if (fresh) {
    auto written = fs::last_write_time(stamp, ec);
    const auto age = fs::file_time_type::clock::now() - written;
    fresh = !ec && age < std::chrono::duration<double, std::ratio<3600>>(options_.lists_max_age_hours);
  }
  if (fresh) return absl::OkStatus();
  std::vector<std::string> argv = AptGet("apt-get");
  argv.push_back("update");
  SubprocessOptions run;
  run.timeout_seconds = options_.timeout_seconds;
  auto result = RunSubprocess(argv, run);
  if (!result.ok()) return result.status();
  if (!result->ok()) {
    return absl::UnavailableError(absl::StrCat("apt-get update (deb-src ", options_.mirror, " ",
                                               options_.suite, "): ", AptError(*result)));
  }
  return WriteFileAtomically(stamp.string(), "");
}

absl::StatusOr<std::string> AptSource::Fetch(const std::string& package,
                                             const std::string& parent) {
  std::error_code ec;
  fs::remove_all(parent, ec);
  fs::create_directories(parent, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", parent, ": ", ec.message()));
  std::vector<std::string> argv = AptGet("apt-get");
  argv.insert(argv.end(), {"source", package});
  SubprocessOptions run;
  run.timeout_seconds = options_.timeout_seconds;
  run.working_dir = parent;
  auto result = RunSubprocess(argv, run);
  if (!result.ok()) return result.status();
  if (!result->ok()) {
    const std::string error = AptError(*result);
    if (absl::StrContains(error, "Unable to find a source package")) {
      return absl::NotFoundError(absl::StrCat("Debian has no source package '", package, "'"));
    }
    return absl::UnavailableError(absl::StrCat("apt-get source ", package, ": ", error));
  }
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    if (entry.is_directory()) return entry.path().string();
  }
  return absl::InternalError(absl::StrCat("apt-get source ", package, " unpacked nothing (is ",
                                          "Debian's dpkg-dev installed?)"));
}

std::string AptSource::Version(const std::string& package) {
  std::vector<std::string> argv = AptGet("apt-cache");
  argv.insert(argv.end(), {"showsrc", package});
  SubprocessOptions run;
  run.timeout_seconds = 60;
  auto result = RunSubprocess(argv, run);
  if (!result.ok() || !result->ok()) return "";
  for (absl::string_view line : absl::StrSplit(result->out, '\n')) {
    if (absl::StartsWith(line, "Version: ")) return std::string(line.substr(9));
  }
  return "";
}

}  // namespace passrl::corpus
