// Fetching Debian source packages with `apt-get source`, using an apt configuration kept in
// passrl's cache folder (its own deb-src list, package lists and archive cache), so the system's
// apt setup is neither needed nor touched and no root is required. Only Debian's archive
// (deb.debian.org, the release this machine runs) is contacted.
// Not thread-safe: one fetcher per cache folder at a time (apt's lists are shared state).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::corpus {

struct AptSourceOptions {
  std::string dir;                    // holds sources.list, lists/, archives/
  std::string mirror = "http://deb.debian.org/debian";
  std::string suite;                  // empty: VERSION_CODENAME from /etc/os-release
  double timeout_seconds = 600;       // per apt-get call
  double lists_max_age_hours = 24 * 7;  // older package lists are refreshed
};

// Where source packages come from (the builder's collaborator; tests give it local trees).
class SourceFetcher {
 public:
  virtual ~SourceFetcher() = default;
  // Prepares to fetch (e.g. downloads package lists).
  virtual absl::Status Update() = 0;
  // Unpacks `package` under `parent` (emptied first); returns the source tree. A name the source
  // does not know is NotFound, naming it.
  virtual absl::StatusOr<std::string> Fetch(const std::string& package,
                                            const std::string& parent) = 0;
  // The package's version ("" when unknown).
  virtual std::string Version(const std::string& package) = 0;
};

class AptSource : public SourceFetcher {
 public:
  explicit AptSource(AptSourceOptions options);

  // Writes the private sources.list and downloads the package lists when missing or stale.
  absl::Status Update() override;
  // `package` may be a source or a binary package name.
  absl::StatusOr<std::string> Fetch(const std::string& package,
                                    const std::string& parent) override;
  std::string Version(const std::string& package) override;

 private:
  std::vector<std::string> AptGet(const std::string& program) const;
  AptSourceOptions options_;
};

}  // namespace passrl::corpus
